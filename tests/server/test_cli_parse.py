"""`mealkitz parse`, run as a subprocess, with the project's menu JSON and with schema.org pages."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOW = "2025-06-06T12:00:00+02:00"


def mealkitz_parse(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server.cli", "parse", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)


def test_parse_against_a_demo_menu_prints_the_draft_as_json():
    done = mealkitz_parse("--menu", "assets/demo/krems.json", "--tz", "Europe/Vienna", "--now", NOW,
                          "2 large margherita, one without basil, and a coke - deliver at 7:30 pm, ring the bell")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["language"] == "en" and out["intent"] == "order"
    lines = [(l["item"], l["quantity"], (l["variant"] or {}).get("id"),
              [(m["option_id"], m["kind"]) for m in l["modifiers"]]) for l in out["lines"]]
    assert lines == [("Margherita", 1, "large", []), ("Margherita", 1, "large", [("basil", "remove")]),
                     ("Coca-Cola", 1, None, [])]
    assert all(0 < l["confidence"] <= 1 for l in out["lines"])
    assert out["fulfilment"] == "delivery" and out["instructions"] == "ring the bell"
    assert out["requested_time"]["slot_start"] == "2025-06-06T19:30:00+02:00"
    assert [q["kind"] for q in out["questions"]] == ["choose_variant"]  # which Coca-Cola size


def test_parse_a_bare_menu_json_picks_the_merchant_and_language(tmp_path):
    data = json.loads((ROOT / "assets" / "demo" / "krems.json").read_text(encoding="utf-8"))
    bowls = next(m["menu"] for m in data["merchants"] if m["menu"]["merchant_id"] == "wachau-bowls")
    path = tmp_path / "menu.json"
    path.write_text(json.dumps(bowls), encoding="utf-8")
    done = mealkitz_parse("--menu", str(path), "--lang", "es", "--now", NOW, "quiero dos sopas de miso para llevar")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["language"] == "es" and out["fulfilment"] == "pickup"
    assert [(l["item_id"], l["quantity"]) for l in out["lines"]] == [("miso_soup", 2)]
    done = mealkitz_parse("--menu", "assets/demo/krems.json", "--merchant", "krems-burger", "--now", NOW,
                          "a cheeseburger well done with bacon")
    (line,) = json.loads(done.stdout)["lines"]
    assert line["item"] == "Cheeseburger"
    assert {(m["name"], m["kind"]) for m in line["modifiers"]} == {("Well done", "add"), ("Bacon", "add")}


@pytest.mark.parametrize("page", ["trattoria_jsonld.html", "trattoria_microdata.html", "trattoria_rdfa.html"])
def test_parse_against_a_schema_org_page(page):
    done = mealkitz_parse("--menu", f"tests/fixtures/menus/{page}", "--now", NOW,
                          "two large margherita with anchovies and a burrata")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    first, second = out["lines"]
    assert (first["item"], first["quantity"], first["variant"]["name"]) == ("Margherita", 2, "Large")
    assert [(m["name"], m["kind"]) for m in first["modifiers"]] == [("Anchovies", "add")]
    assert second["item"] == "Burrata"
    assert {"kind": "unavailable", "line": 1}.items() <= out["questions"][0].items()  # sold out on the page


def test_a_page_without_a_menu_is_an_error(tmp_path):
    page = tmp_path / "about.html"
    page.write_text("<html><head><title>About us</title></head><body><p>We love food.</p></body></html>")
    done = mealkitz_parse("--menu", str(page), "one pizza")
    assert done.returncode == 2 and "no menu items" in done.stderr
