"""Satisfaction and support KPIs: NPS and eNPS, CSAT, first contact resolution and the
customer engagement score.

NPS and eNPS are points from -100 to 100; CSAT and FCR are fractions (0.85, shown as 85 %).
The catalogue's sixth satisfaction indicator, qualitative feedback (S4: what customers say in
surveys and calls), is not a number and has no function here: it is read, not computed.
"""

from __future__ import annotations

import numpy as np

from ..errors import DomainError, ErrorKind, InvalidOptionError, ZeroDenominatorError
from ._kernel import Call, as_list, as_paired_lists, finite_result, inplace, metric
from .acquisition import share

__all__ = [
    "nps",
    "nps_counts",
    "enps",
    "csat",
    "csat_counts",
    "fcr",
    "engagement",
]

#: Lowest promoter score and highest detractor score of the 0-10 NPS scale (S0, S2, S4).
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
SCORE_MAX = 10


def _points(func, errors, promoters, passives, detractors):
    """``100 * (promoters - detractors) / answers``: the one net promoter formula."""
    c = Call(func, errors, promoters=promoters, passives=passives, detractors=detractors)
    c.nonnegative("promoters", "passives", "detractors")
    net = 100.0 * (c["promoters"] - c["detractors"])
    answers = (c["promoters"], c["passives"], c["detractors"])
    points = c.divide(net, answers, "promoters + passives + detractors", out=net)
    return c.finish(inplace(np.clip, points, -100.0, 100.0))


def _score_counts(func, scores):
    """Validate 0-10 answers and count (promoters, passives, detractors)."""
    s = as_list(func, "scores", scores)
    bad = (s < 0) | (s > SCORE_MAX) | (s != np.round(s))
    if bad.any():
        value = float(s[bad][0])
        raise DomainError(
            f"{func}: 'scores' must be whole numbers from 0 to {SCORE_MAX}; got {value!r}",
            argument="scores",
            value=value,
        )
    promoters = int(np.count_nonzero(s >= PROMOTER_MIN))
    detractors = int(np.count_nonzero(s <= DETRACTOR_MAX))
    return promoters, s.size - promoters - detractors, detractors


@metric
def nps(scores):
    """Net Promoter Score: percentage of promoters minus percentage of detractors.

    Parameters
    ----------
    scores : list of int
        Answers to "how likely are you to recommend us?", each a whole number from 0 to 10.
        Missing values are skipped.

    Returns
    -------
    float
        ``NPS = 100 * (promoters - detractors) / answers``, points from -100 to 100.

    Raises
    ------
    DomainError
        A score that is not a whole number from 0 to 10 (``#NUM!``); the whole call fails, since
        one misread answer changes every share.
    NonNumericError, NoDataError
        Text among the scores, or no score at all.

    Notes
    -----
    S0, S2, S4: promoters answer 9-10, passives 7-8, detractors 0-6; passives count in the
    answers but in neither share. Higher is better; S2 quotes a SaaS average of 41, a benchmark
    rather than a target. From counts already tallied, use :func:`nps_counts`; on employee
    answers, :func:`enps`.

    Examples
    --------
    Ten customers answered the survey: 10, 9, 9, 9, 8, 7, 7, 6, 3 and 0. What is our NPS?

    >>> nps([10, 9, 9, 9, 8, 7, 7, 6, 3, 0])
    10.0
    """
    return _points("nps", "raise", *_score_counts("nps", scores))


@metric
def nps_counts(promoters, passives, detractors, *, errors="raise"):
    """Net Promoter Score from the tallies of promoters, passives and detractors.

    Parameters
    ----------
    promoters : float or array_like
        Answers of 9 or 10.
    passives : float or array_like
        Answers of 7 or 8.
    detractors : float or array_like
        Answers from 0 to 6.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element (see :mod:`xl_kpi.metrics`).

    Returns
    -------
    float, ndarray or Series
        ``NPS = 100 * (promoters - detractors) / (promoters + passives + detractors)``, points
        from -100 to 100, element-wise (one survey wave per element).

    Notes
    -----
    S0, S2, S4; the same formula as :func:`nps`. Higher is better. Counts must be non-negative
    (``#NUM!``); they need not be whole (weighted survey tallies are accepted). No answer at all
    is ``#DIV/0!``.

    Examples
    --------
    Our quarterly survey had 120 promoters, 50 passives and 30 detractors: what is the NPS?

    >>> nps_counts(120, 50, 30)
    45.0
    """
    return _points("nps_counts", errors, promoters, passives, detractors)


@metric
def enps(scores):
    """Employee Net Promoter Score: the NPS of employees' answers.

    Parameters
    ----------
    scores : list of int
        Employees' answers to "how likely are you to recommend us as an employer?", whole
        numbers from 0 to 10. Missing values are skipped.

    Returns
    -------
    float
        ``eNPS = 100 * (promoters - detractors) / answers``, points from -100 to 100.

    Raises
    ------
    DomainError
        A score that is not a whole number from 0 to 10 (``#NUM!``, the whole call).
    NonNumericError, NoDataError
        Text among the scores, or no score at all.

    Notes
    -----
    S3: the same computation as :func:`nps` (promoters 9-10, detractors 0-6) on employee
    answers. S3 describes a 1-10 scale; it is the 0-10 scale without its 0, so both are
    accepted. Higher is better.

    Examples
    --------
    Eight employees answered 10, 9, 9, 8, 7, 6, 5 and 9: how likely are they to recommend
    working here?

    >>> enps([10, 9, 9, 8, 7, 6, 5, 9])
    25.0
    """
    return _points("enps", "raise", *_score_counts("enps", scores))


@metric
def csat(scores, *, positive_min=4):
    """Customer satisfaction score (CSAT): share of the answers that are positive.

    Parameters
    ----------
    scores : list of float
        Survey answers, on a 1-5 or 1-10 scale. Missing values are skipped.
    positive_min : float, default 4
        Lowest score counted as positive: 4 on a 1-5 scale (4 and 5 are satisfied answers).
        On a 1-10 scale pass the survey's own threshold (for instance 8, the same 4-in-5
        proportion).

    Returns
    -------
    float
        ``CSAT = count(scores >= positive_min) / count(scores)``, a fraction.

    Raises
    ------
    DomainError
        A negative score, or ``positive_min`` not positive (``#NUM!``).
    NonNumericError, NoDataError
        Text among the scores or as ``positive_min``, or no score at all.
    InvalidOptionError
        ``positive_min`` given as several values.

    Notes
    -----
    S4: positive responses / total responses. Higher is better. From counts already tallied,
    use :func:`csat_counts`.

    Examples
    --------
    Eight tickets were rated 5, 4, 4, 3, 5, 2, 4 and 5 out of 5: what share of customers were
    satisfied?

    >>> csat([5, 4, 4, 3, 5, 2, 4, 5])
    0.75

    The same team on a 1-10 survey, counting 8 and above as positive:

    >>> csat([9, 8, 10, 6, 7], positive_min=8)
    0.6
    """
    option = Call("csat", "raise", positive_min=positive_min)
    if not option.scalar:
        raise InvalidOptionError(
            f"csat: the 'positive_min' parameter must be one number; got {positive_min!r}",
            argument="positive_min",
            value=positive_min,
        )
    option.flag(ErrorKind.NUM, "positive_min", option["positive_min"] <= 0, "must be positive")
    threshold = option.finish(option["positive_min"])
    s = as_list("csat", "scores", scores)
    if (s < 0).any():
        value = float(s[s < 0][0])
        raise DomainError(f"csat: 'scores' must be non-negative; got {value!r}", argument="scores", value=value)
    return float(np.count_nonzero(s >= threshold) / s.size)


@metric
def csat_counts(positive_responses, responses, *, errors="raise"):
    """CSAT from tallies: positive responses / all responses.

    Parameters
    ----------
    positive_responses : float or array_like
        Answers counted as satisfied.
    responses : float or array_like
        All answers of the survey.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``CSAT = positive_responses / responses``, a fraction, element-wise.

    Notes
    -----
    S4. Higher is better. Negative counts and more positive answers than answers are ``#NUM!``;
    no answer is ``#DIV/0!``.

    Examples
    --------
    340 of the month's 400 survey answers were satisfied: what is the CSAT?

    >>> csat_counts(340, 400)
    0.85
    """
    return share("csat_counts", errors, "positive_responses", positive_responses, "responses", responses)


@metric
def fcr(resolved_first_contact, tickets, *, errors="raise"):
    """First contact resolution (FCR): tickets resolved at the first contact / all tickets.

    Parameters
    ----------
    resolved_first_contact : float or array_like
        Tickets closed without a follow-up contact.
    tickets : float or array_like
        All tickets of the period.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``FCR = resolved_first_contact / tickets``, a fraction, element-wise.

    Notes
    -----
    S4. Higher is better. Negative counts and more resolved than tickets are ``#NUM!``; no
    ticket is ``#DIV/0!``.

    Examples
    --------
    Support closed 1,440 of its 1,800 tickets at the first contact: how often do we solve a
    problem in one go?

    >>> fcr(1_440, 1_800)
    0.8
    """
    return share("fcr", errors, "resolved_first_contact", resolved_first_contact, "tickets", tickets)


@metric
def engagement(values, weights):
    """Customer engagement score: the weighted average of usage values.

    Parameters
    ----------
    values : list of float
        One value per user action or signal (logins, features used, seats active, a 0-100
        sub-score, ...). Values may be negative if a signal is a penalty.
    weights : list of float
        The weight of each value, paired with ``values`` element by element. A pair with a
        missing member is skipped.

    Returns
    -------
    float
        ``engagement = sum(value_i * weight_i) / sum(weight_i)``, in the unit of the values.

    Raises
    ------
    ShapeMismatchError
        ``values`` and ``weights`` of different lengths.
    DomainError
        A negative weight (``#NUM!``).
    ZeroDenominatorError
        Weights summing to zero (``#DIV/0!``).
    NonNumericError, NoDataError
        Text in a list, or no complete pair.

    Notes
    -----
    S3 describes a composite score, a weighted sum of user actions, and notes that higher
    engagement goes with lower churn. The weighted average equals that weighted sum when the
    weights add up to 1, and stays on the scale of the values when they do not, so scores of
    accounts with different weightings compare. Higher is better.

    Examples
    --------
    An account scores 80 on logins, 50 on feature adoption and 20 on seats used; we weight them
    0.5, 0.3 and 0.2. How engaged is it?

    >>> engagement([80, 50, 20], [0.5, 0.3, 0.2])
    59.0
    """
    v, w = as_paired_lists("engagement", values=values, weights=weights)
    if (w < 0).any():
        value = float(w[w < 0][0])
        raise DomainError(
            f"engagement: 'weights' must be non-negative; got {value!r}", argument="weights", value=value
        )
    total = finite_result("engagement", float(np.sum(w)), "the sum of 'weights'")
    if total == 0:
        raise ZeroDenominatorError(
            "engagement: the denominator sum of 'weights' is zero", argument="weights", value=0.0
        )
    return finite_result("engagement", float(np.dot(v, w) / total))
