"""How long a rating from a card takes to be acknowledged, in a real browser, beside a bare API call.

    python -m bench.bench_card_rating [--url http://127.0.0.1:8000] [--ratings 30]

Against a running site (`scripts/run.sh`): signs up a throwaway member
(`bench-…`), opens the home page in Debian's chromium and clicks a star on
`--ratings` different cards, one at a time. Each card's script records the
milliseconds from the click's change event to the card saying "You rated it"
(`data-saved-in-ms`: the POST to /api/ratings, its answer, the card updated).
In the same page and the same run, the baseline is a bare `fetch` of
/api/me/ratings (a GET that reads the member's few ratings), so the ratio
says what the card adds to the server's own round trip. Reports p50 and p95
of both. The member and their ratings stay in the database.
"""
from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics

# As the browser tests launch it (tests/e2e/conftest.py): Debian's chromium, no sandbox, no background traffic.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--ratings", type=int, default=30)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        executable = os.environ.get("RE_SYS_CHROMIUM") or shutil.which("chromium")
        if not executable:
            raise SystemExit("This bench needs Debian's chromium: apt-get install chromium.")
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        name = f"bench-{secrets.token_hex(4)}"
        page.goto(args.url + "/accounts/signup/")
        page.fill("#id_username", name)
        page.fill("#id_password1", "a-long-bench-pass-phrase")
        page.fill("#id_password2", "a-long-bench-pass-phrase")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_load_state()
        page.goto(args.url + "/?sort=title")
        cards = page.locator("#all-movies form.stars")
        count = min(args.ratings, cards.count())
        card_ms, bare_ms = [], []
        for index in range(count):
            form = cards.nth(index)
            form.scroll_into_view_if_needed()
            form.locator(f"label:has(input[value='{(index % 9 + 1) / 2 + 0.5}'])").click()
            page.wait_for_function("form => form.dataset.savedInMs !== undefined", arg=form.element_handle())
            card_ms.append(float(form.get_attribute("data-saved-in-ms")))
            bare_ms.append(page.evaluate("""async () => {
                const started = performance.now();
                await (await fetch('/api/me/ratings', {credentials: 'same-origin'})).json();
                return performance.now() - started; }"""))
        browser.close()
    print(f"{count} ratings from cards on {args.url} as {name}")
    print(f"card acknowledged: p50 {statistics.median(card_ms):.1f} ms, p95 {_p95(card_ms):.1f} ms")
    print(f"bare API GET:      p50 {statistics.median(bare_ms):.1f} ms, p95 {_p95(bare_ms):.1f} ms")
    print(f"ratio of p50s: {statistics.median(card_ms) / statistics.median(bare_ms):.2f}")


if __name__ == "__main__":
    main()
