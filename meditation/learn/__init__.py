"""Learning the 99 by heart (issue 15): cards in three directions scheduled with FSRS, the
questions asked of them, and how a person's answers are checked."""
