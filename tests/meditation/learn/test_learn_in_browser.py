"""/learn/ in a browser (issue 15): a round answered by the keyboard alone, each answer swapped
in by htmx with the focus on what happened; the same round without JavaScript, a page for each
answer; a person's typed answer checked and scheduled; the options as touch targets on a phone;
the recitation in order; and a quick double press on a slow connection counted once."""

from __future__ import annotations

from playwright.sync_api import expect

from meditation.models import LearningCard, LearningReview
from tests.browser import expect_focused, marks, open_page, sign_in_page, slow_network
from tests.factories import UserFactory

from .helpers import typed_card

pytestmark = marks
# Right or wrong, the answer given to each of the five questions of a round.
ANSWERS = (True, True, False, True, True)
RIGHT, WRONG = "Right.", "Not this time."


def key_for(page, *, right: bool = True) -> str:
    """The digit of the right option of the question shown (or of a wrong one): read from the
    form's hidden `number` and its buttons' values."""
    form = page.locator("[data-learn-question]")
    number = form.locator("input[name=number]").get_attribute("value")
    values = form.locator("button[name=answer]").evaluate_all("bs => bs.map(b => b.value)")
    assert len(values) == 4
    assert values.count(number) == 1
    place = values.index(number) if right else next(
        i for i, value in enumerate(values) if value != number
    )  # fmt: skip
    return str(place + 1)


def verdict(page):
    return page.locator("[data-learn-feedback] .learn-feedback__verdict")


def last_rating(card: LearningCard) -> int:
    return LearningReview.objects.filter(card=card).order_by("reviewed_at").last().rating


def test_a_visitors_round_by_the_keyboard_is_swapped_in_answer_by_answer(browser, site):
    page, problems = open_page(browser, f"{site}/learn/")
    page.evaluate("window.__marker = 1")
    place = page.locator(".learn-question__place")
    end = page.locator("[data-learn-end]")
    for at, right in enumerate(ANSWERS, start=1):
        expect(place).to_have_text(f"Question {at} of 5")
        page.keyboard.press(key_for(page, right=right))
        # The swap is in once the next question (or the end) is shown.
        expect(place if at < 5 else end).to_have_text(
            f"Question {at + 1} of 5" if at < 5 else "You answered 4 of 5"
        )
        expect(verdict(page)).to_contain_text(RIGHT if right else WRONG)
        expect_focused(page, "[data-learn-feedback]")
    expect(page.locator(".learn-results li")).to_have_count(5)
    assert page.evaluate("window.__marker") == 1  # never reloaded
    assert page.url == f"{site}/learn/"
    # learn.js puts the feedback of the last answer before the end heading; Enter on either
    # (neither is a control) starts another round.
    end.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(place).to_have_text("Question 1 of 5")
    assert page.evaluate("window.__marker") is None  # "Another round" is a new page
    assert problems == [], "\n".join(problems)


def test_without_javascript_each_answer_of_a_round_is_a_page(browser, site):
    page, problems = open_page(browser, f"{site}/learn/", javascript=False)
    place = page.locator(".learn-question__place")
    for at, right in enumerate(ANSWERS, start=1):
        expect(place).to_have_text(f"Question {at} of 5")
        key = key_for(page, right=right)
        with page.expect_navigation() as loaded:
            page.click(f'[data-learn-question] [data-learn-key="{key}"]')
        response = loaded.value
        assert response.request.method == "POST"
        assert response.url == f"{site}/learn/answer/"
        assert response.status == 200
        expect(verdict(page)).to_contain_text(RIGHT if right else WRONG)
        if at < 5:
            expect(place).to_have_text(f"Question {at + 1} of 5")
    expect(page.locator("[data-learn-end]")).to_have_text("You answered 4 of 5")
    page.click("[data-learn-continue]")
    expect(place).to_have_text("Question 1 of 5")
    assert problems == [], "\n".join(problems)


def test_a_person_answers_a_choice_by_a_digit_and_a_typed_card_by_enter(browser, site):
    user = UserFactory()
    page, problems = sign_in_page(browser, site, user=user)
    page.goto(f"{site}/learn/")
    page.evaluate("window.__marker = 1")
    expect(page.locator("#question-heading")).to_have_text("Which name is this?")  # 1, arabic
    page.keyboard.press(key_for(page))
    expect(verdict(page)).to_contain_text(RIGHT)
    expect_focused(page, "[data-learn-feedback]")
    assert page.evaluate("window.__marker") == 1
    first = LearningCard.objects.get(user=user, name__number=1, direction="arabic")
    assert last_rating(first) == 3  # Good

    card = typed_card(user, direction="meaning")  # name 1 by its meaning, due before anything else
    page.goto(f"{site}/learn/")
    page.evaluate("window.__marker = 1")
    expect(page.locator("#question-heading")).to_have_text("Which name means this?")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Enter")  # no control has focus: Enter goes to the field
    expect_focused(page, "#answer")
    page.keyboard.type("rahman")
    page.keyboard.press("Enter")
    expect(verdict(page)).to_contain_text(RIGHT)
    expect_focused(page, "[data-learn-feedback]")
    assert page.evaluate("window.__marker") == 1
    assert page.url == f"{site}/learn/"
    card.refresh_from_db()
    assert card.reviews == 2
    assert last_rating(card) == 3  # a right typed answer: Good unless said otherwise
    assert LearningReview.objects.filter(user=user).count() == 3  # the set-up's and two
    assert problems == [], "\n".join(problems)


def test_without_javascript_a_person_answers_a_typed_card_by_enter(browser, site):
    user = UserFactory()
    card = typed_card(user, direction="meaning")
    page, problems = sign_in_page(browser, site, user=user, javascript=False)
    page.goto(f"{site}/learn/")
    page.fill("#answer", "rahman")
    with page.expect_navigation() as loaded:
        page.press("#answer", "Enter")
    assert loaded.value.request.method == "POST"
    assert loaded.value.url == f"{site}/learn/answer/"
    expect(verdict(page)).to_contain_text(RIGHT)
    card.refresh_from_db()
    assert card.reviews == 2
    assert last_rating(card) == 3
    assert problems == [], "\n".join(problems)


def test_on_a_phone_the_round_fits_and_its_options_are_touch_targets(browser, site):
    page, problems = open_page(browser, f"{site}/learn/")
    place = page.locator(".learn-question__place")
    for width in (390, 320):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{site}/learn/")
        for at in range(1, 6):  # every kind of question of a round
            expect(place).to_have_text(f"Question {at} of 5")
            fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            assert fits, f"question {at} scrolls sideways at {width} px"
            heights = page.locator(".learn-option").evaluate_all(
                "bs => bs.map(b => b.getBoundingClientRect().height)"
            )
            assert len(heights) == 4
            assert min(heights) >= 44, f"question {at} at {width} px: {heights}"
            page.keyboard.press(key_for(page))
            if at < 5:
                expect(place).to_have_text(f"Question {at + 1} of 5")
        expect(page.locator("[data-learn-end]")).to_have_text("You answered 5 of 5")
        fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert fits, f"the end of the round scrolls sideways at {width} px"
    assert problems == [], "\n".join(problems)


def test_reciting_the_five_names_after_one_is_swapped_in(browser, site):
    page, problems = open_page(browser, f"{site}/learn/recite/")
    page.evaluate("window.__marker = 1")
    page.select_option("#id_after", "10")
    expect(page.locator("#id_after option:checked")).to_have_text("10. Al-Mutakabbir")
    for place, given in enumerate(("al khaliq", "البارئ", "musawwir", "ghaffar", "qahhar"), 1):
        page.fill(f"#id_name_{place}", given)
    page.click("#recital button[type=submit]")
    expect(page.locator("#recital-heading")).to_have_text("5 of 5 in order")
    expect(page.locator("#recital .learn-results li")).to_have_count(5)
    assert page.evaluate("window.__marker") == 1
    assert page.url == f"{site}/learn/recite/"
    assert problems == [], "\n".join(problems)


def test_after_a_recitation_the_focus_is_on_its_result_and_enter_goes_on(browser, site):
    page, _ = open_page(browser, f"{site}/learn/recite/?after=10")
    for place, given in enumerate(("al khaliq", "البارئ", "musawwir", "ghaffar", "qahhar"), 1):
        page.fill(f"#id_name_{place}", given)
    page.click("#recital button[type=submit]")
    expect_focused(page, "#recital-heading", timeout=2000)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # "Go on from 15"
    assert page.url == f"{site}/learn/recite/?after=15"


def test_a_quick_double_press_on_a_slow_connection_counts_once(browser, site):
    user = UserFactory()
    page, problems = sign_in_page(browser, site, user=user)
    page.goto(f"{site}/learn/")
    slow_network(page, latency_ms=300)
    key = key_for(page)
    page.keyboard.press(key)
    page.wait_for_timeout(50)
    page.keyboard.press(key)
    expect(page.locator("[data-learn-feedback], .learn-notice").first).to_be_visible()
    page.wait_for_timeout(1500)  # anything queued or late has arrived
    assert LearningReview.objects.filter(user=user).count() == 1
    assert LearningCard.objects.get(user=user).reviews == 1
    assert problems == [], "\n".join(problems)
