"""The live meditation (a sitting): the draw, the timer, the dhikr counter, finishing."""
