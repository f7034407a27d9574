"""Statistical distributions: the densities, cumulative distributions and their inverses of the
normal, lognormal, Student's t, chi-squared, F, beta, gamma, exponential and Weibull laws, the
binomial, negative binomial, hypergeometric and Poisson counts, the tests built on them
(CHISQ.TEST, F.TEST, Z.TEST), confidence intervals, FISHER, GAMMA and PERMUTATIONA; each under
its Excel 2010 name and its Excel 2007 one (NORMDIST, BETADIST, CHIDIST, TINV...).

The maths is scipy's (``scipy.special`` and ``scipy.stats``, imported when a function first
runs, so that importing the engine does not load scipy). The arguments follow Microsoft's page of
each function: numbers as arithmetic reads them (blank 0, TRUE 1, number-like text and date
text, other text ``#VALUE!``), an omitted argument 0, the cumulative flag a logical (a number is
TRUE unless 0, text must read TRUE or FALSE), counts and degrees of freedom truncated to
integers, error arguments propagated in argument order before any domain check, and ``#NUM!``
outside each function's domain (or where the result overflows). Every function but the three
tests runs element by element over the whole shape of cells at once (see
:func:`.registry.elementwise`).
"""

from __future__ import annotations

import math

import numpy as np

from ...excel_errors import DIV0, NA, NUM, ExcelError
from ..arrays import align
from ..values import ERR, ERROR_CODES, E, Values, numbers
from ..values import NUM as NUMBER
from .arguments import from_python_cells, numeric_items, per_instance
from .registry import FUNCTIONS, elementwise, register

#: The largest degrees of freedom CHISQ.* and F.* accept (Microsoft: "deg_freedom > 10^10").
MAX_FREEDOM = 1e10
_SQRT_2PI = math.sqrt(2 * math.pi)


def _checked(x, *rules):
    """(x, error codes): where a rule's mask holds, its code (the first rule that holds wins).

    ``rules`` are ``(mask, code)`` pairs, or bare masks meaning ``#NUM!``.
    """
    err = np.zeros(np.shape(x))
    for rule in reversed(rules):
        mask, code = rule if isinstance(rule, tuple) else (rule, E.NUM)
        err = np.where(mask, code, err)
    return x, err


def _safe(x, bad, value=1.0):
    """``x`` with ``value`` where ``bad``: a parameter scipy can take, the result masked later."""
    return np.where(bad, value, x)


def _outside_probability(p, open_low=False, open_high=False):
    """Where p is not a probability: p < 0 (p <= 0 if ``open_low``), p > 1 (p >= 1 if ``open_high``)."""
    return ((p <= 0) if open_low else (p < 0)) | ((p >= 1) if open_high else (p > 1))


def _bad_freedom(df):
    return (df < 1) | (df > MAX_FREEDOM)


# ---------------------------------------------------------------------------------------------
# the normal and lognormal laws


def _normal_density(z, sd):
    return np.exp(-0.5 * z * z) / (sd * _SQRT_2PI)


@elementwise("NORM.DIST", "NORMDIST", arity=(4, 4), flags=(3,))
def _norm_dist(x, mean, sd, cumulative):
    """NORM.DIST(x, mean, standard_dev, cumulative): Phi((x - mean) / sd), or the density
    exp(-z^2 / 2) / (sd sqrt(2 pi)); #NUM! unless sd > 0."""
    from scipy import special

    bad = sd <= 0
    sd = _safe(sd, bad)
    z = (x - mean) / sd
    return _checked(np.where(cumulative, special.ndtr(z), _normal_density(z, sd)), bad)


@elementwise("NORM.S.DIST", arity=(2, 2), flags=(1,))
def _norm_s_dist(z, cumulative):
    """NORM.S.DIST(z, cumulative): the standard normal cdf Phi(z), or its density."""
    from scipy import special

    return _checked(np.where(cumulative, special.ndtr(z), _normal_density(z, 1.0)))


@elementwise("NORMSDIST", arity=(1, 1))
def _normsdist(z):
    """NORMSDIST(z) = Phi(z)."""
    from scipy import special

    return _checked(special.ndtr(z))


@elementwise("PHI", arity=(1, 1))
def _phi(x):
    """PHI(x): the standard normal density exp(-x^2 / 2) / sqrt(2 pi)."""
    return _checked(_normal_density(x, 1.0))


@elementwise("GAUSS", arity=(1, 1))
def _gauss(z):
    """GAUSS(z) = Phi(z) - 0.5, the chance a standard normal lies between 0 and z."""
    from scipy import special

    return _checked(special.ndtr(z) - 0.5)


@elementwise("NORM.INV", "NORMINV", arity=(3, 3))
def _norm_inv(p, mean, sd):
    """NORM.INV(probability, mean, standard_dev) = mean + sd Phi^-1(p); #NUM! unless
    0 < p < 1 and sd > 0."""
    from scipy import special

    bad = _outside_probability(p, True, True) | (sd <= 0)
    return _checked(mean + sd * special.ndtri(_safe(p, bad, 0.5)), bad)


@elementwise("NORM.S.INV", "NORMSINV", arity=(1, 1))
def _norm_s_inv(p):
    """NORM.S.INV(probability) = Phi^-1(p); #NUM! unless 0 < p < 1."""
    from scipy import special

    bad = _outside_probability(p, True, True)
    return _checked(special.ndtri(_safe(p, bad, 0.5)), bad)


@elementwise("LOGNORM.DIST", arity=(4, 4), flags=(3,))
def _lognorm_dist(x, mean, sd, cumulative):
    """LOGNORM.DIST(x, mean, standard_dev, cumulative): Phi((ln x - mean) / sd), or the density
    divided by x; #NUM! unless x > 0 and sd > 0."""
    from scipy import special

    bad = (x <= 0) | (sd <= 0)
    x, sd = _safe(x, bad), _safe(sd, bad)
    z = (np.log(x) - mean) / sd
    return _checked(np.where(cumulative, special.ndtr(z), _normal_density(z, sd) / x), bad)


@elementwise("LOGNORMDIST", arity=(3, 3))
def _lognormdist(x, mean, sd):
    """LOGNORMDIST(x, mean, standard_dev): LOGNORM.DIST's cumulative distribution."""
    return _lognorm_dist(x, mean, sd, True)


@elementwise("LOGNORM.INV", "LOGINV", arity=(3, 3))
def _lognorm_inv(p, mean, sd):
    """LOGNORM.INV(probability, mean, standard_dev) = exp(mean + sd Phi^-1(p)); #NUM! unless
    0 < p < 1 and sd > 0."""
    from scipy import special

    bad = _outside_probability(p, True, True) | (sd <= 0)
    return _checked(np.exp(mean + sd * special.ndtri(_safe(p, bad, 0.5))), bad)


@elementwise("CONFIDENCE.NORM", "CONFIDENCE", arity=(3, 3))
def _confidence_norm(alpha, sd, size):
    """CONFIDENCE.NORM(alpha, standard_dev, size) = Phi^-1(1 - alpha / 2) sd / sqrt(size), the
    half-width of a confidence interval of a mean; size truncated; #NUM! unless 0 < alpha < 1,
    sd > 0 and size >= 1."""
    from scipy import special

    size = np.trunc(size)
    bad = _outside_probability(alpha, True, True) | (sd <= 0) | (size < 1)
    alpha, size = _safe(alpha, bad, 0.5), _safe(size, bad)
    return _checked(special.ndtri(1 - alpha / 2) * sd / np.sqrt(size), bad)


@elementwise("CONFIDENCE.T", arity=(3, 3))
def _confidence_t(alpha, sd, size):
    """CONFIDENCE.T(alpha, standard_dev, size) = t^-1(1 - alpha / 2, size - 1) sd / sqrt(size),
    Student's t with size - 1 degrees of freedom; #NUM! as CONFIDENCE.NORM, then #DIV/0! for a
    size of 1."""
    from scipy import stats

    size = np.trunc(size)
    bad = _outside_probability(alpha, True, True) | (sd <= 0) | (size < 1)
    one = ~bad & (size == 1)
    alpha, size = _safe(alpha, bad | one, 0.5), _safe(size, bad | one, 2.0)
    return _checked(stats.t.isf(alpha / 2, size - 1) * sd / np.sqrt(size), bad, (one, E.DIV0))


# ---------------------------------------------------------------------------------------------
# Student's t, chi-squared and F


@elementwise("T.DIST", arity=(3, 3), flags=(2,))
def _t_dist(x, df, cumulative):
    """T.DIST(x, deg_freedom, cumulative): Student's left-tailed t distribution, or its density;
    deg_freedom truncated; #NUM! below 1, but #DIV/0! for the density with 0 degrees, as Excel
    (formulas test.xlsx STATISTICAL R102)."""
    from scipy import stats

    df = np.trunc(df)
    bad = df < 1
    dfs = _safe(df, bad)
    out = np.where(cumulative, stats.t.cdf(x, dfs), stats.t.pdf(x, dfs))
    return _checked(out, (bad & ~cumulative & (df == 0), E.DIV0), bad)


@elementwise("T.DIST.RT", arity=(2, 2))
def _t_dist_rt(x, df):
    """T.DIST.RT(x, deg_freedom) = P(T > x); deg_freedom truncated, #NUM! below 1."""
    from scipy import stats

    df = np.trunc(df)
    bad = df < 1
    return _checked(stats.t.sf(x, _safe(df, bad)), bad)


@elementwise("T.DIST.2T", arity=(2, 2))
def _t_dist_2t(x, df):
    """T.DIST.2T(x, deg_freedom) = P(|T| > x) = 2 P(T > x); #NUM! for x < 0 or df < 1."""
    from scipy import stats

    df = np.trunc(df)
    bad = (x < 0) | (df < 1)
    return _checked(2 * stats.t.sf(x, _safe(df, bad)), bad)


@elementwise("TDIST", arity=(3, 3))
def _tdist(x, df, tails):
    """TDIST(x, deg_freedom, tails) = tails * P(T > x); df and tails truncated; #NUM! for x < 0,
    df < 1, or tails other than 1 and 2."""
    from scipy import stats

    df, tails = np.trunc(df), np.trunc(tails)
    bad = (x < 0) | (df < 1) | ((tails != 1) & (tails != 2))
    return _checked(tails * stats.t.sf(x, _safe(df, bad)), bad)


@elementwise("T.INV", arity=(2, 2))
def _t_inv(p, df):
    """T.INV(probability, deg_freedom): the left-tailed inverse of Student's t; #NUM! unless
    0 < p < 1 and df >= 1 (truncated)."""
    from scipy import stats

    df = np.trunc(df)
    bad = _outside_probability(p, True) | (df < 1)
    return _checked(stats.t.ppf(_safe(p, bad, 0.5), _safe(df, bad)), bad)


@elementwise("T.INV.2T", "TINV", arity=(2, 2))
def _t_inv_2t(p, df):
    """T.INV.2T(probability, deg_freedom): the t with P(|T| > t) = p; #NUM! unless 0 < p <= 1
    and df >= 1 (truncated)."""
    from scipy import stats

    df = np.trunc(df)
    bad = _outside_probability(p, True) | (df < 1)
    return _checked(stats.t.isf(_safe(p, bad, 0.5) / 2, _safe(df, bad)), bad)


@elementwise("CHISQ.DIST", arity=(3, 3), flags=(2,))
def _chisq_dist(x, df, cumulative):
    """CHISQ.DIST(x, deg_freedom, cumulative): the chi-squared distribution, or its density;
    deg_freedom truncated; #NUM! for x < 0 or df outside 1..10^10."""
    from scipy import special, stats

    df = np.trunc(df)
    bad = (x < 0) | _bad_freedom(df)
    x, df = _safe(x, bad), _safe(df, bad)
    return _checked(np.where(cumulative, special.chdtr(df, x), stats.chi2.pdf(x, df)), bad)


@elementwise("CHISQ.DIST.RT", "CHIDIST", arity=(2, 2))
def _chisq_dist_rt(x, df):
    """CHISQ.DIST.RT(x, deg_freedom): the right tail P(X > x) of chi-squared; as CHISQ.DIST."""
    from scipy import special

    df = np.trunc(df)
    bad = (x < 0) | _bad_freedom(df)
    return _checked(special.chdtrc(_safe(df, bad), _safe(x, bad)), bad)


@elementwise("CHISQ.INV", arity=(2, 2))
def _chisq_inv(p, df):
    """CHISQ.INV(probability, deg_freedom): the inverse of CHISQ.DIST's cumulative distribution;
    #NUM! unless 0 <= p < 1 and df in 1..10^10 (truncated)."""
    from scipy import stats

    df = np.trunc(df)
    bad = _outside_probability(p) | _bad_freedom(df)
    return _checked(stats.chi2.ppf(_safe(p, bad, 0.5), _safe(df, bad)), bad)


@elementwise("CHISQ.INV.RT", "CHIINV", arity=(2, 2))
def _chisq_inv_rt(p, df):
    """CHISQ.INV.RT(probability, deg_freedom): the x with P(X > x) = p; #NUM! unless 0 < p <= 1
    and df in 1..10^10 (truncated)."""
    from scipy import stats

    df = np.trunc(df)
    bad = _outside_probability(p) | _bad_freedom(df)
    return _checked(stats.chi2.isf(_safe(p, bad, 0.5), _safe(df, bad)), bad)


def _bad_f(df1, df2):
    return _bad_freedom(df1) | _bad_freedom(df2)


@elementwise("F.DIST", arity=(4, 4), flags=(3,))
def _f_dist(x, df1, df2, cumulative):
    """F.DIST(x, deg_freedom1, deg_freedom2, cumulative): the F distribution, or its density;
    degrees truncated; #NUM! for x < 0 or a degree outside 1..10^10."""
    from scipy import stats

    df1, df2 = np.trunc(df1), np.trunc(df2)
    bad = (x < 0) | _bad_f(df1, df2)
    x, df1, df2 = _safe(x, bad), _safe(df1, bad), _safe(df2, bad)
    return _checked(np.where(cumulative, stats.f.cdf(x, df1, df2), stats.f.pdf(x, df1, df2)), bad)


@elementwise("F.DIST.RT", "FDIST", arity=(3, 3))
def _f_dist_rt(x, df1, df2):
    """F.DIST.RT(x, deg_freedom1, deg_freedom2) = P(F > x); as F.DIST."""
    from scipy import stats

    df1, df2 = np.trunc(df1), np.trunc(df2)
    bad = (x < 0) | _bad_f(df1, df2)
    return _checked(stats.f.sf(_safe(x, bad), _safe(df1, bad), _safe(df2, bad)), bad)


@elementwise("F.INV", arity=(3, 3))
def _f_inv(p, df1, df2):
    """F.INV(probability, deg_freedom1, deg_freedom2): the inverse of F.DIST's cumulative
    distribution; #NUM! unless 0 <= p < 1 and the degrees in 1..10^10 (truncated)."""
    from scipy import stats

    df1, df2 = np.trunc(df1), np.trunc(df2)
    bad = _outside_probability(p) | _bad_f(df1, df2)
    return _checked(stats.f.ppf(_safe(p, bad, 0.5), _safe(df1, bad), _safe(df2, bad)), bad)


@elementwise("F.INV.RT", "FINV", arity=(3, 3))
def _f_inv_rt(p, df1, df2):
    """F.INV.RT(probability, deg_freedom1, deg_freedom2): the x with P(F > x) = p."""
    from scipy import stats

    df1, df2 = np.trunc(df1), np.trunc(df2)
    bad = _outside_probability(p) | _bad_f(df1, df2)
    return _checked(stats.f.isf(_safe(p, bad, 0.5), _safe(df1, bad), _safe(df2, bad)), bad)


# ---------------------------------------------------------------------------------------------
# beta, gamma, exponential and Weibull


def _bad_beta_args(x, alpha, beta, lower, upper):
    return (alpha <= 0) | (beta <= 0) | (x < lower) | (x > upper) | (lower == upper)


@elementwise("BETA.DIST", arity=(4, 6), defaults=(0, 1), flags=(3,))
def _beta_dist(x, alpha, beta, cumulative, lower, upper):
    """BETA.DIST(x, alpha, beta, cumulative, [A], [B]): the beta distribution I_u(alpha, beta) of
    u = (x - A) / (B - A), or its density / (B - A); A 0 and B 1 by default; #NUM! unless
    alpha > 0, beta > 0 and A <= x <= B with A < B."""
    from scipy import special, stats

    bad = _bad_beta_args(x, alpha, beta, lower, upper)
    width = _safe(upper - lower, bad)
    u = _safe((x - lower) / width, bad, 0.5)
    alpha, beta = _safe(alpha, bad), _safe(beta, bad)
    out = np.where(cumulative, special.betainc(alpha, beta, u), stats.beta.pdf(u, alpha, beta) / width)
    return _checked(out, bad)


@elementwise("BETADIST", arity=(3, 5), defaults=(0, 1))
def _betadist(x, alpha, beta, lower, upper):
    """BETADIST(x, alpha, beta, [A], [B]): BETA.DIST's cumulative distribution."""
    return _beta_dist(x, alpha, beta, True, lower, upper)


@elementwise("BETA.INV", "BETAINV", arity=(3, 5), defaults=(0, 1))
def _beta_inv(p, alpha, beta, lower, upper):
    """BETA.INV(probability, alpha, beta, [A], [B]) = A + (B - A) I^-1_p(alpha, beta); #NUM!
    unless 0 < p < 1, alpha > 0 and beta > 0."""
    from scipy import special

    bad = _outside_probability(p, True, True) | (alpha <= 0) | (beta <= 0)
    u = special.betaincinv(_safe(alpha, bad), _safe(beta, bad), _safe(p, bad, 0.5))
    return _checked(lower + (upper - lower) * u, bad)


def _bad_gamma_args(x, alpha, beta):
    return (x < 0) | (alpha <= 0) | (beta <= 0)


@elementwise("GAMMA.DIST", "GAMMADIST", arity=(4, 4), flags=(3,))
def _gamma_dist(x, alpha, beta, cumulative):
    """GAMMA.DIST(x, alpha, beta, cumulative): the gamma distribution P(alpha, x / beta) of shape
    alpha and scale beta, or its density; #NUM! unless x >= 0, alpha > 0 and beta > 0."""
    from scipy import special, stats

    bad = _bad_gamma_args(x, alpha, beta)
    x, alpha, beta = _safe(x, bad), _safe(alpha, bad), _safe(beta, bad)
    out = np.where(cumulative, special.gammainc(alpha, x / beta), stats.gamma.pdf(x, alpha, scale=beta))
    return _checked(out, bad)


@elementwise("GAMMA.INV", "GAMMAINV", arity=(3, 3))
def _gamma_inv(p, alpha, beta):
    """GAMMA.INV(probability, alpha, beta) = beta P^-1(alpha, p); #NUM! unless 0 <= p < 1,
    alpha > 0 and beta > 0."""
    from scipy import special

    bad = _outside_probability(p) | (alpha <= 0) | (beta <= 0)
    return _checked(beta * special.gammaincinv(_safe(alpha, bad), _safe(p, bad, 0.5)), bad)


@elementwise("GAMMA", arity=(1, 1))
def _gamma(x):
    """GAMMA(x): the gamma function; #NUM! at 0 and the negative integers, and where it overflows."""
    from scipy import special

    bad = (x <= 0) & (x == np.floor(x))
    return _checked(special.gamma(_safe(x, bad)), bad)


@elementwise("GAMMALN", "GAMMALN.PRECISE", arity=(1, 1))
def _gammaln(x):
    """GAMMALN(x) = ln GAMMA(x); #NUM! unless x > 0."""
    from scipy import special

    bad = x <= 0
    return _checked(special.gammaln(_safe(x, bad)), bad)


@elementwise("EXPON.DIST", "EXPONDIST", arity=(3, 3), flags=(2,))
def _expon_dist(x, lam, cumulative):
    """EXPON.DIST(x, lambda, cumulative) = 1 - exp(-lambda x), or the density lambda exp(-lambda x);
    #NUM! unless x >= 0 and lambda > 0."""
    bad = (x < 0) | (lam <= 0)
    return _checked(np.where(cumulative, -np.expm1(-lam * x), lam * np.exp(-lam * x)), bad)


@elementwise("WEIBULL.DIST", "WEIBULL", arity=(4, 4), flags=(3,))
def _weibull_dist(x, alpha, beta, cumulative):
    """WEIBULL.DIST(x, alpha, beta, cumulative) = 1 - exp(-(x / beta)^alpha), or the density
    alpha / beta^alpha x^(alpha - 1) exp(-(x / beta)^alpha); #NUM! unless x >= 0, alpha > 0 and
    beta > 0."""
    bad = _bad_gamma_args(x, alpha, beta)
    alpha, beta = _safe(alpha, bad), _safe(beta, bad)
    power = (x / beta) ** alpha
    density = alpha / beta * (x / beta) ** (alpha - 1) * np.exp(-power)
    return _checked(np.where(cumulative, -np.expm1(-power), density), bad)


@elementwise("FISHER", arity=(1, 1))
def _fisher(x):
    """FISHER(x) = artanh(x) = ln((1 + x) / (1 - x)) / 2; #NUM! unless -1 < x < 1."""
    bad = (x <= -1) | (x >= 1)
    return _checked(np.arctanh(_safe(x, bad, 0.0)), bad)


@elementwise("FISHERINV", arity=(1, 1))
def _fisherinv(y):
    """FISHERINV(y) = tanh(y), the inverse of FISHER."""
    return _checked(np.tanh(y))


# ---------------------------------------------------------------------------------------------
# counts: binomial, negative binomial, hypergeometric, Poisson; PERMUTATIONA


@elementwise("BINOM.DIST", "BINOMDIST", arity=(4, 4), flags=(3,))
def _binom_dist(k, trials, p, cumulative):
    """BINOM.DIST(number_s, trials, probability_s, cumulative): P(X = k), or P(X <= k), of k
    successes in n trials; k and n truncated; #NUM! unless 0 <= k <= n and 0 <= p <= 1."""
    from scipy import stats

    k, trials = np.trunc(k), np.trunc(trials)
    bad = (k < 0) | (k > trials) | _outside_probability(p)
    k, trials, p = _safe(k, bad, 0.0), _safe(trials, bad), _safe(p, bad, 0.5)
    return _checked(np.where(cumulative, stats.binom.cdf(k, trials, p), stats.binom.pmf(k, trials, p)), bad)


def _binom_range(trials, p, low, high):
    """BINOM.DIST.RANGE(trials, probability_s, number_s, [number_s2]) = P(s <= X <= s2), s2 = s
    by default; all counts truncated; #NUM! unless 0 <= s <= s2 <= trials and 0 <= p <= 1."""
    from scipy import stats

    trials, low, high = np.trunc(trials), np.trunc(low), np.trunc(high)
    bad = (low < 0) | (low > trials) | (high < low) | (high > trials) | _outside_probability(p)
    trials, p = _safe(trials, bad), _safe(p, bad, 0.5)
    low, high = _safe(low, bad, 0.0), _safe(high, bad, 0.0)
    # the difference of the tail nearer to the range keeps its digits
    upper = low > trials * p
    between = np.where(upper, stats.binom.sf(low - 1, trials, p) - stats.binom.sf(high, trials, p),
                       stats.binom.cdf(high, trials, p) - stats.binom.cdf(low - 1, trials, p))
    return _checked(np.where(low == high, stats.binom.pmf(low, trials, p), between), bad)


_BINOM_RANGE_BY_COUNT = {}
for _count, _f in ((3, lambda trials, p, k: _binom_range(trials, p, k, k)), (4, _binom_range)):
    elementwise("BINOM.DIST.RANGE", arity=(_count, _count))(_f)
    _BINOM_RANGE_BY_COUNT[_count] = FUNCTIONS["BINOM.DIST.RANGE"]


@register("BINOM.DIST.RANGE")
def _binom_dist_range(ev, args):
    """The element-wise form for 3 arguments (number_s2 = number_s) or for 4."""
    impl = _BINOM_RANGE_BY_COUNT.get(len(args))
    return Values.error(E.VALUE) if impl is None else impl(ev, args)


@elementwise("BINOM.INV", "CRITBINOM", arity=(3, 3))
def _binom_inv(trials, p, alpha):
    """BINOM.INV(trials, probability_s, alpha): the least k with P(X <= k) >= alpha; trials
    truncated; #NUM! unless trials >= 0 and p and alpha lie in 0..1."""
    from scipy import stats

    trials = np.trunc(trials)
    bad = (trials < 0) | _outside_probability(p) | _outside_probability(alpha)
    k = stats.binom.ppf(_safe(alpha, bad, 0.5), _safe(trials, bad), _safe(p, bad, 0.5))
    return _checked(np.maximum(k, 0.0), bad)


@elementwise("NEGBINOM.DIST", arity=(4, 4), flags=(3,))
def _negbinom_dist(failures, successes, p, cumulative):
    """NEGBINOM.DIST(number_f, number_s, probability_s, cumulative): P(F = f), or P(F <= f), of f
    failures before the s-th success; f and s truncated; #NUM! unless f >= 0, s >= 1 and
    0 < p <= 1."""
    from scipy import stats

    failures, successes = np.trunc(failures), np.trunc(successes)
    bad = (failures < 0) | (successes < 1) | _outside_probability(p, True)
    f, s, p = _safe(failures, bad, 0.0), _safe(successes, bad), _safe(p, bad, 0.5)
    return _checked(np.where(cumulative, stats.nbinom.cdf(f, s, p), stats.nbinom.pmf(f, s, p)), bad)


@elementwise("NEGBINOMDIST", arity=(3, 3))
def _negbinomdist(failures, successes, p):
    """NEGBINOMDIST(number_f, number_s, probability_s): NEGBINOM.DIST's probability mass."""
    return _negbinom_dist(failures, successes, p, False)


@elementwise("HYPGEOM.DIST", arity=(5, 5), flags=(4,))
def _hypgeom_dist(k, draws, successes, population, cumulative):
    """HYPGEOM.DIST(sample_s, number_sample, population_s, number_pop, cumulative): the chance of
    k successes in n draws without replacement from N holding K successes,
    C(K, k) C(N - K, n - k) / C(N, n), or P(X <= k); all truncated; #NUM! for a negative count,
    n or K above N, or (the mass) k above min(n, K) or below max(0, n - N + K)."""
    from scipy import stats

    k, n, big_k, big_n = (np.trunc(a) for a in (k, draws, successes, population))
    bad = (k < 0) | (n < 0) | (big_k < 0) | (n > big_n) | (big_k > big_n)
    bad |= ~cumulative & ((k > np.minimum(n, big_k)) | (k < np.maximum(0, n - big_n + big_k)))
    k, n, big_k, big_n = (_safe(a, bad, 0.0) for a in (k, n, big_k, big_n))
    big_n = np.where(big_n == 0, 1.0, big_n)  # no population: no draw, k = 0 for sure (scipy wants N >= 1)
    law = stats.hypergeom(big_n, big_k, n)
    return _checked(np.where(cumulative, law.cdf(k), law.pmf(k)), bad)


@elementwise("HYPGEOMDIST", arity=(4, 4))
def _hypgeomdist(k, draws, successes, population):
    """HYPGEOMDIST(sample_s, number_sample, population_s, number_pop): HYPGEOM.DIST's mass."""
    return _hypgeom_dist(k, draws, successes, population, np.zeros(np.shape(k), bool))


@elementwise("POISSON.DIST", "POISSON", arity=(3, 3), flags=(2,))
def _poisson_dist(k, mean, cumulative):
    """POISSON.DIST(x, mean, cumulative) = exp(-mean) mean^k / k!, or its sum over 0..k; k
    truncated; #NUM! unless k >= 0 and mean >= 0."""
    from scipy import stats

    k = np.trunc(k)
    bad = (k < 0) | (mean < 0)
    k, mean = _safe(k, bad, 0.0), _safe(mean, bad)
    return _checked(np.where(cumulative, stats.poisson.cdf(k, mean), stats.poisson.pmf(k, mean)), bad)


@elementwise("PERMUTATIONA", arity=(2, 2))
def _permutationa(number, chosen):
    """PERMUTATIONA(number, number_chosen) = number^number_chosen, the arrangements with
    repetition; both truncated; #NUM! for a negative one."""
    number, chosen = np.trunc(number), np.trunc(chosen)
    bad = (number < 0) | (chosen < 0)
    return _checked(np.power(number, chosen), bad)


# ---------------------------------------------------------------------------------------------
# tests over samples: CHISQ.TEST, F.TEST, Z.TEST (one result per cell, x element-wise for Z.TEST)


def _error(code) -> ExcelError:
    return ExcelError(ERROR_CODES[int(code) - 1])


def _block(v: Values, i: int):
    """(kind, num) of instance i's block, flattened in row-major order."""
    i = i if v.n > 1 else 0
    return v.kind[i].reshape(-1), v.num[i].reshape(-1)


def _sample(v: Values, i: int):
    """The numbers of instance i of a sample argument, as AVERAGE reads them, or its first error."""
    x, mask, err = numeric_items(v)
    i = i if v.n > 1 else 0
    if err[i]:
        return _error(err[i])
    return x[i].reshape(-1)[mask[i].reshape(-1)]


def _error_of_arrays(*blocks):
    """The error a function of two arrays reports, or None: the first error of the first array,
    then of the second, in row-major order, passing over #NULL! (#NULL! only when it is the
    sole one), as Excel's CHISQ.TEST, F.TEST and its regression functions do (formulas
    test.xlsx STATISTICAL AD17 and AD34: #NULL! then #NUM! in the first array give #NUM!)."""
    null = False
    for kind, num in blocks:
        for code in num[kind == ERR]:
            if code != E.NULL:
                return _error(code)
            null = True
    return _error(E.NULL) if null else None


def _chisq_test_one(actual: Values, expected: Values, i: int):
    """sum (A - E)^2 / E over the pairs where both are numbers; the right tail of chi-squared with
    (rows - 1)(columns - 1) degrees of freedom, or cells - 1 for one row or column."""
    from scipy import special

    ak, an = _block(actual, i)
    ek, en = _block(expected, i)
    err = _error_of_arrays((ak, an), (ek, en))
    if err is not None:
        return err
    if ak.size != ek.size:
        return NA
    rows, cols = actual.hw
    df = (rows - 1) * (cols - 1) if rows > 1 and cols > 1 else ak.size - 1
    if df < 1:
        return NA
    both = (ak == NUMBER) & (ek == NUMBER)
    a, e = an[both], en[both]
    if not a.size or (e == 0).any():
        return DIV0
    return float(special.chdtrc(df, float(np.sum((a - e) ** 2 / e))))


def _f_test_one(first: Values, second: Values, i: int):
    """Twice the smaller tail of F = s1^2 / s2^2 with (n1 - 1, n2 - 1) degrees of freedom."""
    from scipy import stats

    err = _error_of_arrays(_block(first, i), _block(second, i))
    if err is not None:
        return err
    xs = [_sample(v, i) for v in (first, second)]
    bad = next((x for x in xs if isinstance(x, ExcelError)), None)
    if bad is not None:  # a typed text ("") where an array is expected
        return bad
    if any(x.size < 2 for x in xs):
        return DIV0
    v1, v2 = (float(np.var(x, ddof=1)) for x in xs)
    if v1 == 0 or v2 == 0:
        return DIV0
    ratio, d1, d2 = v1 / v2, xs[0].size - 1, xs[1].size - 1
    return float(2 * min(stats.f.cdf(ratio, d1, d2), stats.f.sf(ratio, d1, d2)))


def _pairwise(f):
    def impl(ev, args):
        if len(args) != 2:
            return Values.error(E.VALUE)
        a, b = ev.eval(args[0]), ev.eval(args[1])
        return per_instance(max(a.n, b.n), lambda i: f(a, b, i))

    return impl


register("CHISQ.TEST", "CHITEST")(_pairwise(_chisq_test_one))
register("F.TEST", "FTEST")(_pairwise(_f_test_one))


@register("Z.TEST", "ZTEST")
def _z_test(ev, args):
    """Z.TEST(array, x, [sigma]) = 1 - Phi((mean - x) / (sigma / sqrt(n))), the one-tailed p-value
    of x against the sample's mean; sigma the sample's standard deviation by default; element-wise
    over x. An error in x, then in sigma, then in the array is the result; #N/A for an empty
    sample, #DIV/0! for one number or no spread, #NUM! unless sigma > 0."""
    from scipy import special

    if not 2 <= len(args) <= 3:
        return Values.error(E.VALUE)
    sample = ev.eval(args[0])
    given = [ev.scalar(a) for a in args[1:]]
    given = align(*given)
    (xv, xe), *sigma = (numbers(v) for v in given)
    n = max([sample.n] + [v.n for v in given])
    shape = (n, *given[0].hw)
    out = np.empty(shape, object)
    for idx in np.ndindex(shape):
        j = (idx[0] if given[0].n > 1 else 0, *idx[1:])
        if xe[j]:
            out[idx] = _error(xe[j])
            continue
        if sigma and sigma[0][1][j]:
            out[idx] = _error(sigma[0][1][j])
            continue
        x = _sample(sample, idx[0])
        if isinstance(x, ExcelError):
            out[idx] = x
        elif not x.size:
            out[idx] = NA
        elif x.size < 2:
            out[idx] = DIV0
        else:
            s = float(sigma[0][0][j]) if sigma else float(np.std(x, ddof=1))
            if sigma and s <= 0:
                out[idx] = NUM
            elif s == 0:
                out[idx] = DIV0
            else:
                out[idx] = float(special.ndtr(-(x.mean() - float(xv[j])) / (s / math.sqrt(x.size))))
    return from_python_cells(out)
