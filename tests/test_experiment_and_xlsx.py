import datetime
import io
from collections import Counter

import openpyxl
import pytest

from collections_ruler.tools.experiment import ExperimentError, pick_variant, two_proportion_test
from collections_ruler.tools.xlsx import Column, Sheet, SpreadsheetError, build_workbook, sheet_name


def test_two_proportion_test_matches_the_hand_computation():
    # A: 40 paid of 200 contacts (20 %), B: 20 of 200 (10 %). Pooled p = 60/400 = 0.15,
    # spread = sqrt(0.15 * 0.85 * (1/200 + 1/200)) = 0.0357071, z = 0.10 / 0.0357071 = 2.8006,
    # two-sided p = erfc(2.8006 / sqrt 2) = 0.00510.
    result = two_proportion_test(40, 200, 20, 200)
    assert result.rate_a == pytest.approx(0.20)
    assert result.rate_b == pytest.approx(0.10)
    assert result.z == pytest.approx(2.8006, abs=1e-4)
    assert result.p_value == pytest.approx(0.00510, abs=1e-5)
    assert result.enough_data and result.significant
    assert result.verdict == "a_better"
    assert two_proportion_test(20, 200, 40, 200).verdict == "b_better"


def test_a_small_difference_is_noise():
    # 22/200 against 20/200: z = 0.01 / sqrt(0.105 * 0.895 * 0.01) = 0.3263, p = 0.744.
    result = two_proportion_test(22, 200, 20, 200)
    assert result.z == pytest.approx(0.3263, abs=1e-4)
    assert result.p_value == pytest.approx(0.7442, abs=1e-4)
    assert not result.significant
    assert result.verdict == "no_difference"


def test_too_few_contacts_is_not_enough_data_even_with_a_big_z():
    # 4 of 4 against 0 of 4 gives z = 2.83, but fewer than 5 successes and failures per variant.
    result = two_proportion_test(4, 4, 0, 4)
    assert abs(result.z) > 2.5
    assert result.verdict == "not_enough_data"
    assert not result.significant
    assert two_proportion_test(0, 0, 0, 0).p_value == 1.0


@pytest.mark.parametrize(("args"), [(-1, 10, 1, 10), (11, 10, 1, 10), (1, 10, 1, 10, 0)])
def test_impossible_counts_are_refused(args):
    with pytest.raises(ExperimentError):
        two_proportion_test(*args)


def test_variants_are_picked_by_weight_and_stably():
    picks = Counter(pick_variant(key, [3, 1]) for key in range(1, 40001))
    assert picks[0] / 40000 == pytest.approx(0.75, abs=0.01)
    assert picks[1] / 40000 == pytest.approx(0.25, abs=0.01)
    assert all(pick_variant(key, [3, 1]) == pick_variant(key, [3, 1]) for key in range(100))
    assert {pick_variant(key, [0, 5]) for key in range(1000)} == {1}
    assert pick_variant(7, [0, 0]) == 0
    with pytest.raises(ExperimentError):
        pick_variant(1, [])


def _book():
    sheet = Sheet(
        name="By customer: [all]",
        columns=(
            Column("Customer"),
            Column("Due", "date"),
            Column("Debts", "integer", total="sum"),
            Column("Open", "money", total="sum"),
            Column("Share", "percent", total="value"),
        ),
        rows=[
            ("Ana", datetime.date(2026, 11, 2), 2, 1234.56, 0.75),
            ("Bruno", datetime.date(2026, 10, 30), 1, 411.52, 0.25),
        ],
        totals={4: 1.0},
    )
    content = build_workbook("Aging", [("As of", datetime.date(2026, 11, 25)), ("Company", "Acme")], [sheet])
    return openpyxl.load_workbook(io.BytesIO(content))


def test_the_workbook_has_title_filters_frozen_header_formats_and_totals():
    book = _book()
    ws = book["By customer   all"]
    assert ws["A1"].value == "Aging"
    assert ws["A2"].value == "As of" and ws["B2"].value == datetime.datetime(2026, 11, 25)
    assert ws["B2"].number_format == "dd/mm/yyyy"
    assert [cell.value for cell in ws[5]] == ["Customer", "Due", "Debts", "Open", "Share"]
    assert ws[5][0].font.bold
    assert ws.freeze_panes == "A6"
    assert ws.auto_filter.ref == "A5:E7"
    assert ws["B6"].value == datetime.datetime(2026, 11, 2) and ws["B6"].number_format == "dd/mm/yyyy"
    assert ws["D6"].value == 1234.56 and ws["D6"].number_format.startswith("[$R$-416] #,##0.00")
    assert ws["E6"].number_format == "0.0%"
    assert ws["A8"].value == "Total" and ws["A8"].font.bold
    assert ws["C8"].value == "=SUM(C6:C7)"
    assert ws["D8"].value == "=SUM(D6:D7)"
    assert ws["E8"].value == 1.0
    assert ws.column_dimensions["D"].width >= len("1,234.56")


def test_the_cached_totals_are_readable_without_a_calculation_engine():
    content = build_workbook(
        "T", [], [Sheet("S", (Column("A"), Column("B", "money", total="sum")), [("x", 1.5), ("y", 2.25)])]
    )
    ws = openpyxl.load_workbook(io.BytesIO(content), data_only=True)["S"]
    assert ws["B6"].value == 3.75  # title, blank, header, two rows, total


def test_bad_sheets_are_refused():
    with pytest.raises(SpreadsheetError):
        build_workbook("T", [], [Sheet("S", (Column("A", "euro"),), [])])
    with pytest.raises(SpreadsheetError):
        build_workbook("T", [], [Sheet("S", (Column("A"),), [("x", 1)])])


def test_sheet_names_follow_excels_rules():
    taken = set()
    assert sheet_name("a" * 40, taken) == "a" * 31
    assert sheet_name("a" * 40, taken) == "a" * 27 + " (2)"
    assert sheet_name("x/y?", taken) == "x y"
