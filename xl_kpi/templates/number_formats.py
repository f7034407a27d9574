"""Number formats of the workbooks: money in the example's currency or currency-neutral.

The blank template does not know the user's currency ("money keeps the currency you type"), so
its amounts use Excel's accounting format without a symbol, the *Comma* cell style finance
teams know: thousands separated, negatives in parentheses, zero as a dash, figures aligned on
the right whatever their sign. The example company reports in euros: the same format with the
euro sign, before the figure in English (``€ 1,234``) and after it in French (``1 234 €``, the
separators being the reader's locale's).

>>> money("en", None)
'_(* #,##0_);_(* (#,##0);_(* "-"_);_(@_)'
>>> money("fr", "EUR", decimals=2)
'_-* #,##0.00\\\\ "€"_-;-* #,##0.00\\\\ "€"_-;_-* "-"\\\\ "€"_-;_-@_-'
"""

from __future__ import annotations

__all__ = ["CURRENCY_SYMBOLS", "money", "money_signed_plain"]

#: The currencies an example may be written in.
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def money(lang: str, currency: str | None, *, decimals: int = 0) -> str:
    """An accounting format for amounts; ``currency`` None is the currency-neutral one."""
    digits = "#,##0" + ("." + "0" * decimals if decimals else "")
    dash = '"-"' + ("??" if decimals else "")
    if currency is None:
        return f'_(* {digits}_);_(* ({digits});_(* {dash}_);_(@_)'
    symbol = CURRENCY_SYMBOLS[currency]
    if lang == "fr":  # the symbol after the figure, a space between
        unit = f'\\ "{symbol}"'
        return f'_-* {digits}{unit}_-;-* {digits}{unit}_-;_-* "-"{unit}_-;_-@_-'
    return f'_("{symbol}"* {digits}_);_("{symbol}"* ({digits});_("{symbol}"* {dash}_);_(@_)'


def money_signed_plain(lang: str, currency: str | None) -> str:
    """A compact format for chart axes: the figure with a minus sign, and the symbol if any
    (before the figure in English, after it in French)."""
    if currency is None:
        return "#,##0"
    symbol = CURRENCY_SYMBOLS[currency]
    if lang == "fr":
        return f'#,##0" {symbol}";-#,##0" {symbol}"'
    return f'"{symbol}"#,##0;-"{symbol}"#,##0'
