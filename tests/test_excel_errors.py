"""One table of Excel's error values (xl_kpi.excel_errors); every other module derives from it."""

from __future__ import annotations

import pytest

from xl_kpi import errors, excel_args, excel_errors
from xl_kpi.errors import ErrorKind
from xl_kpi.excel_errors import EXCEL_ERRORS, ExcelError, of_kind
from xl_kpi.recalc import package, values


def test_the_table_holds_excels_error_numbers():
    # Microsoft, XlCVError enumeration: xlErrNull 2000, xlErrDiv0 2007, xlErrValue 2015, xlErrRef 2023,
    # xlErrName 2029, xlErrNum 2036, xlErrNA 2042, xlErrGettingData 2043, xlErrSpill 2045, xlErrCalc 2050.
    assert dict(excel_errors.TABLE) == {
        "#NULL!": 2000, "#DIV/0!": 2007, "#VALUE!": 2015, "#REF!": 2023, "#NAME?": 2029,
        "#NUM!": 2036, "#N/A": 2042, "#GETTING_DATA": 2043, "#SPILL!": 2045, "#CALC!": 2050,
    }  # fmt: skip


def test_every_other_table_is_the_same_object():
    assert errors.EXCEL_ERRORS is EXCEL_ERRORS
    assert package.ERROR_CODES is EXCEL_ERRORS and values.ERROR_CODES is EXCEL_ERRORS
    assert package.ERROR_CODE is excel_errors.ERROR_CODE
    assert excel_args.XL_ERROR_NUMBERS is excel_errors.XL_ERROR_NUMBERS


def test_the_engines_codes_are_positions_in_the_table():
    for code, text in enumerate(EXCEL_ERRORS, start=1):
        assert package.ERROR_CODE[text] == code
    assert (values.E.DIV0, values.E.NUM, values.E.VALUE, values.E.NA) == tuple(
        EXCEL_ERRORS.index(t) + 1 for t in ("#DIV/0!", "#NUM!", "#VALUE!", "#N/A"))


@pytest.mark.parametrize("kind", [k for k in ErrorKind if k != ErrorKind.OK])
def test_each_failure_kind_is_one_error_of_the_table(kind):
    assert kind.excel in EXCEL_ERRORS
    assert of_kind(kind) == kind.excel and of_kind(int(kind)) is of_kind(kind)
    assert isinstance(of_kind(kind), ExcelError)


def test_ok_and_unknown_text_are_no_excel_error():
    with pytest.raises(ValueError):
        of_kind(ErrorKind.OK)
    with pytest.raises(ValueError):
        ExcelError("#DIV/0")


def test_com_error_codes_come_from_the_table():
    for number, text in excel_errors.XL_ERROR_NUMBERS.items():
        assert excel_args.incoming_error(0x800A0000 + number - (1 << 32)) == ExcelError(text)
