"""BAHTTEXT: an amount in Thai words, baht and satang.

The rules of written Thai numbers (Microsoft's BAHTTEXT page shows 1234 as
หนึ่งพันสองร้อยสามสิบสี่บาทถ้วน): digits ศูนย์ หนึ่ง สอง สาม สี่ ห้า หก เจ็ด แปด เก้า; places
สิบ (10), ร้อย (100), พัน (1,000), หมื่น (10,000), แสน (100,000), and ล้าน (million) after each
block of six digits above the first. In the tens place 1 is สิบ alone and 2 is ยี่สิบ; a 1 in the
units place of a block worth more than 1 is เอ็ด (11 สิบเอ็ด, 101 หนึ่งร้อยเอ็ด). The amount is
rounded to satang (hundredths); บาท follows the baht, then ถ้วน ("exactly") when there are no
satang, or the satang in words and สตางค์. A negative amount starts with ลบ.
"""

from __future__ import annotations

from .number_format import round_decimal, shown_decimal
from .registry import cellwise

_DIGITS = ("ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า")
_PLACES = ("", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน")
_MILLION, _BAHT, _SATANG, _EXACT, _MINUS = "ล้าน", "บาท", "สตางค์", "ถ้วน", "ลบ"


def _block(n: int) -> str:
    """Words of 1 <= n <= 999,999 (one block of six digits)."""
    words = []
    for place in range(5, -1, -1):
        d = n // 10 ** place % 10
        if d == 0:
            continue
        if place == 1:
            words.append(("" if d == 1 else "ยี่" if d == 2 else _DIGITS[d]) + _PLACES[1])
        elif place == 0 and d == 1 and n > 1:
            words.append("เอ็ด")
        else:
            words.append(_DIGITS[d] + _PLACES[place])
    return "".join(words)


def thai_number(n: int) -> str:
    """Words of a whole number n >= 1, ล้าน after every block of six digits but the last."""
    blocks = []
    while n:
        n, low = divmod(n, 1_000_000)
        blocks.append(low)
    words = ""
    for i, low in enumerate(reversed(blocks)):
        words += (_block(low) if low else "") + (_MILLION if i < len(blocks) - 1 else "")
    return words


@cellwise("BAHTTEXT", args="n")
def _bahttext(number):
    """BAHTTEXT(number): the amount in Thai words, rounded to satang (see the module docstring)."""
    amount = round_decimal(shown_decimal(abs(number)), 2)
    baht, satang = int(amount), int((amount - int(amount)) * 100)
    words = _MINUS if number < 0 and (baht or satang) else ""
    if baht:
        words += thai_number(baht) + _BAHT
    if satang:
        return words + thai_number(satang) + _SATANG
    return words + ("" if baht else _DIGITS[0] + _BAHT) + _EXACT
