"""Display names and help texts: the one place where the app words its settings."""

import re

from em_viz.engine.gaussian_em import GaussianSettings
from em_viz.engine.stepper import Algorithm

_MARKUP_SIGNS = re.compile(r"([\\`*\[\]<>$~|!])")
"""What markdown can make a link, an image, HTML, code or maths of: brackets, angle
brackets, backticks, stars, dollars, tildes and bars. Prose signs (quotes,
parentheses, colons, underscores) stay as they are."""
_BARE_ADDRESS = re.compile(r"(?=://)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
"""Where Streamlit's markdown would link a bare ``http://host``, ``www.host`` or
``name@host`` by itself, even with its signs escaped."""
WORD_JOINER = "\u2060"
"""An invisible sign that keeps a bare address from being linked."""

INIT_NAMES = {
    "random-points": "random points",
    "k-means++": "k-means++",
    "kmeans": "k-means fit",
    "random-responsibilities": "random responsibilities",
    "click on the plot": "click on the plot",
}
"""Each initialisation's name as the page shows it, in its menu and in headings."""
ALGORITHM_SHORT = {
    "soft": "EM",
    "hard": "hard EM",
    "kmeans": "k-means",
    "fixed-eps": "EM εI",
    "variational-bayes": "VB",
}


def plain(text: str) -> str:
    """``text`` as written, for a message that Streamlit renders as markdown.

    Messages quote what a visitor typed or uploaded (toss lines, file and column
    names): escaped, a ``[link](...)`` or ``![image](...)`` in it stays text, so it can
    neither make a link in the app's own box nor have a browser fetch from a host.
    Line breaks become spaces, so quoted text cannot start a block of its own.
    """
    escaped = _MARKUP_SIGNS.sub(r"\\\1", " ".join(text.splitlines()))
    return _BARE_ADDRESS.sub(WORD_JOINER, escaped)


def run_start(settings: GaussianSettings) -> str:
    """'seed 7 · k-means++': where the run starts."""
    return f"seed {settings.random_state} · {INIT_NAMES[settings.init]}"


def run_model(settings: GaussianSettings) -> str:
    """'K=3 full · EM': what is fitted, and how."""
    algorithm = ALGORITHM_SHORT[settings.algorithm]
    if settings.algorithm == "fixed-eps":
        algorithm += f" ε={settings.epsilon:g}"
    model = f"K={settings.n_components}"
    if settings.variant.uses_covariance_type:
        model += f" {settings.covariance_type}"
    return f"{model} · {algorithm}"


def run_description(settings: GaussianSettings) -> str:
    """'seed 7 · k-means++ · K=3 full · EM'."""
    return f"{run_start(settings)} · {run_model(settings)}"


def objectives_note(objectives: dict[str, str]) -> str:
    """'Objective: Run 2, the negative sum of squared distances.', naming what each run's
    "objective" column is (``objectives``: run name to objective name)."""
    named = "; ".join(f"{run}, the {name}" for run, name in objectives.items())
    return f"Objective: {named}."


# The Gaussian settings -----------------------------------------------------------------

ALGORITHM_NAMES = {
    "soft": "EM (soft)",
    "hard": "hard EM",
    "kmeans": "k-means",
    "fixed-eps": "EM with fixed εI",
    "variational-bayes": "variational Bayes",
}
ALGORITHM_HELP = (
    "EM (soft): every point shared between components by its responsibilities. "
    "Hard EM: each point wholly to its most responsible component. k-means: hard EM with "
    "one shared round covariance and equal weights (Lloyd's algorithm). EM with fixed εI: "
    "soft EM whose covariances stay ε·I and weights 1/K; as ε shrinks it becomes k-means. "
    "Variational Bayes: a prior on the weights lets the fit switch unneeded components off."
)
INIT_HELP = (
    "Random points: means at random data points; k-means++: means spread out by "
    "k-means++ seeding (both start every covariance at the data's own covariance, with "
    "equal weights); k-means fit: a full k-means fit, then one M-step from its clusters; "
    "random responsibilities: one M-step from random soft assignments (all means start "
    "near the centre); click on the plot: place the means yourself."
)
INIT_SHORT_HELP = (
    "Random points: means at random data points; k-means++: means spread out by "
    "k-means++ seeding; k-means fit: a full k-means fit first; random responsibilities: "
    "one M-step from random soft assignments."
)
REG_COVAR_HELP = "Added to every variance so that no component can shrink to nothing."
TOL_HELP = "Converged when an iteration raises the mean log-likelihood per point by less."
COVARIANCE_HELP = (
    "full: any ellipse per component; tied: one shared ellipse shape; diag: ellipses "
    "aligned with the axes; spherical: circles."
)
EPSILON_LABEL = "ε (every component's variance)"
EPSILON_HELP = "In squared data units. Small ε hardens the colours: the updates become k-means."
SETTING_LABELS = {
    "n_components": "Components K",
    "covariance_type": "Covariance type",
    "init": "Initialisation",
    "random_state": "Init seed",
    "reg_covar": "reg_covar",
    "tol": "Tolerance",
    "algorithm": "Algorithm",
    "epsilon": "ε",
    "weight_concentration_prior_type": "Weight prior",
    "weight_concentration_prior": "Concentration",
}
"""Each Gaussian setting's name as its widget shows it."""
SWITCHING_OFF = (
    "EM cannot choose K: more components always fit the data at least as well. "
    "Variational Bayes puts a prior on the weights, and its posterior switches off the "
    "components the data do not need: their weight falls below {threshold:.0%} and they "
    "fall back to the prior, drawn faint at the data's centre. **{active} of {total}** "
    "components are active now."
)
"""The explorer's caption of a variational Bayes run."""
BOUND_PAGE_VARIATIONAL = (
    "The explorer's run is variational Bayes. This page takes EM's bound apart, with "
    "EM's parameters as points: choose an EM algorithm in the explorer's model panel to "
    "follow its run here."
)
PRIOR_TYPE_NAMES = {
    "dirichlet_process": "stick-breaking",
    "dirichlet_distribution": "symmetric Dirichlet",
}
"""Each weight prior's name as its menu shows it."""
PRIOR_TYPE_HELP = (
    "Stick-breaking (a Dirichlet process): each component gets a share of what the "
    "earlier ones left, so the prior prefers few. Symmetric Dirichlet: all components "
    "alike; the concentration matters more."
)
CONCENTRATION_LABEL = "Concentration of the weight prior"
CONCENTRATION_HELP = (
    "How many points' worth of prior weight each component gets. Low: the posterior "
    "switches off every component the data do not need. High: it keeps them all."
)
VALUE_NAMES = {
    "algorithm": ALGORITHM_NAMES,
    "init": INIT_NAMES,
    "weight_concentration_prior_type": PRIOR_TYPE_NAMES,
}
"""Settings whose values have display names."""


def settings_change(old: dict, new: dict) -> str:
    """'Algorithm EM (soft) → hard EM, Components K 3 → 4': what differs between two
    settings (dicts of a :class:`GaussianSettings`' fields), in the widgets' words; ""
    when nothing does."""

    def shown(name: str, value: object) -> str:
        names = VALUE_NAMES.get(name, {})
        return names.get(value, f"{value:g}" if isinstance(value, float) else str(value))

    return ", ".join(
        f"{SETTING_LABELS.get(name, name.replace('_', ' '))} {shown(name, old.get(name))} → "
        f"{shown(name, value)}"
        for name, value in new.items()
        if old.get(name) != value
    )


# The step controls ---------------------------------------------------------------------

STEP_HELP = {
    "E-step": "Expectation: recolour each point by how responsible each component is for it.",
    "M-step": "Maximisation: move each component to the weighted mean and covariance of "
    "its points.",
    "Step": "One iteration: an E-step, then an M-step.",
    "Run": "Step to convergence, half-step by half-step at the chosen speed.",
    "Back": "Undo the last half-step.",
    "Reset": "Back to the initial parameters.",
}
GROUP_STEP_HELP = {
    **{
        name: f"{text} All runs move together; a converged run stays put."
        for name, text in STEP_HELP.items()
    },
    "Run": "Every run to convergence at once. All runs move together; a converged run stays put.",
}
"""The compare page's controls, which move every run at once."""

# What each half-step changed -------------------------------------------------------------

MOVED_BY_HAND = "mean {number} moved by hand"
"""The heading's and the history slider's name of a move (``number`` counts from 1)."""
MOVED_CHANGED = (
    "You moved a mean by hand; the other parameters and the colours stayed as they were. "
    "The next E-step recolours the points for the new means, and EM goes on from there."
)
"""The caption of a mean moved by hand, for every variant of EM."""

WHAT_CHANGED = {
    "init": "The initial parameters: grey points, one ellipse per component. "
    "Press E-step to colour the points by their responsibilities.",
    "E": "E-step: each point's colour now mixes the component colours by its "
    "responsibilities r_ik = p(component k | point i). The ellipses did not move.",
    "M": "M-step: each component moved to the mean and covariance of all points weighted "
    "by their responsibilities; its weight is its share of them. The colours did not change.",
    "moved": MOVED_CHANGED,
}
HARD_CHANGED = {
    **WHAT_CHANGED,
    "E": "E-step: each point now belongs wholly to its most responsible component (for "
    "k-means: its nearest centre). The ellipses did not move.",
    "M": "M-step: each component moved to the mean and covariance of the points it now "
    "owns; its weight is its share of them. The colours did not change.",
}
FIXED_SHAPE_M = {
    False: "M-step: each mean moved to the mean of all points weighted by their "
    "responsibilities. The covariances stay ε·I and the weights 1/K; the colours did not "
    "change.",
    True: "M-step: each centre moved to the mean of the points it now owns. The shared "
    "round covariance and the equal weights stay; the colours did not change.",
}
"""The M-step of the variants that learn only the means (EM with fixed εI, k-means), by
whether the algorithm is hard."""


INCOMPLETE_CHANGED = {
    **WHAT_CHANGED,
    "E": "E-step: a point with a hidden coordinate gets its responsibilities from the "
    "coordinate it has (each component's density along that axis alone), and per "
    "component the hidden one's expected value and spread given the one seen. The hollow "
    "point moved to the mixture's expectation, its line spans ±1 sd. The ellipses did not "
    "move.",
    "M": "M-step: each component moved to the weighted mean and covariance of the points, "
    "a hidden coordinate counted at its expected value, its conditional variance added to "
    "the spread (without it the ellipses would shrink). The hollow points did not move.",
}
"""The soft half-steps' captions on data with hidden coordinates."""


VARIATIONAL_CHANGED = {
    "init": "The starting posterior, one M-step from the responsibilities of soft EM's "
    "first E-step: grey points. Press E-step to colour them.",
    "E": "E-step: each point's colour now mixes the component colours by its "
    "responsibilities, computed from each component's expected weight and density under "
    "the posterior. The ellipses did not move.",
    "M": "M-step: each component's posterior moved to the responsibility-weighted mean and "
    "covariance, pulled toward the prior; its weight is its share of the points plus the "
    "prior's. The colours did not change.",
    "moved": "You moved a component's posterior mean by hand; the rest of the posterior "
    "and the colours stayed as they were. The next E-step recolours the points for it, and "
    "variational Bayes goes on from there.",
}
"""The half-steps' captions of variational Bayes."""


def what_changed(variant: Algorithm, incomplete: bool = False) -> dict[str, str]:
    """The per-half-step captions for ``variant``: soft or hard, and what its M-step
    learns (variational Bayes its own); with ``incomplete``, those of soft EM on data
    with hidden coordinates."""
    if incomplete:
        return INCOMPLETE_CHANGED
    if variant.name == "variational-bayes":
        return VARIATIONAL_CHANGED
    captions = HARD_CHANGED if variant.hard else WHAT_CHANGED
    if variant.uses_covariance_type:
        return captions
    return {**captions, "M": FIXED_SHAPE_M[variant.hard]}


SEEING = {
    "init": "There is no bound yet: it is built from responsibilities q, and no E-step has "
    "given any. Press **E-step**.",
    "E": "**E-step**: q is now the posterior p(Z | X, θ), so the bound L(q, θ) touches the "
    "log-likelihood: the gap KL(q ‖ p) is **{kl}**. The parameters did not move, so the "
    "log-likelihood did not change; the bound rose to meet it.",
    "M": "**M-step**: the parameters moved to the top of the bound L(q, θ) for the q of the "
    "last E-step. The bound rose, and the log-likelihood rose at least as much: it sits "
    "above the bound by the gap KL(q ‖ p) = **{kl}**, which the next E-step closes.",
    "moved": "**Moved by hand**: one mean moved, nothing else. The bound L(q, θ) keeps the q "
    "of the last E-step (before the first there is none), so the log-likelihood and the "
    "bound may fall here: a move is no step of EM. The next E-step rebuilds q for the new "
    "means, and EM climbs again from there.",
}
HARD_SEEING = {
    **SEEING,
    "E": "**Hard E-step**: q gives each point wholly to one component. That is not the "
    "posterior, so the bound stays below the log-likelihood: the gap KL(q ‖ p) is "
    "**{kl}**, the uncertainty the 0/1 assignment ignores. Here the bound is the "
    "complete-data log-likelihood.",
}
WHY = (
    "For any q, log p(X | θ) = L(q, θ) + KL(q ‖ p(Z | X, θ)), and KL ≥ 0. EM is "
    "coordinate ascent on L: the E-step raises L over q (to the posterior, the gap "
    "closes), the M-step raises L over θ. So the log-likelihood can never fall."
)
POINT_ESTIMATE = (
    "**EM is variational inference with q over the parameters squeezed to a point.** "
    "Variational Bayes keeps a whole distribution q(θ) beside q(Z) and raises the same "
    "kind of bound, now on log p(X) with a prior on θ. Let q(θ) be a spike at one value θ̂, "
    "with no width: the bound's terms for θ reduce to log p(X, Z | θ̂) (and a log prior, "
    "if any), and raising it over θ̂ is EM's M-step. The spike cannot say how sure it is. "
    "The blue curve is what it throws away: this mean's posterior given the last "
    "responsibilities (a flat prior, the covariance held), as wide as the component's "
    "spread over √N_k. Such spreads are also what lets variational Bayes in the explorer "
    "switch off the components the data do not need, which EM, with every weight a "
    "point, cannot."
)

# Choosing K ------------------------------------------------------------------------------

CHOOSE_K_INTRO = (
    "Each model, a number of components K and a covariance type, is fitted from several "
    "k-means starts, each run to convergence; the best start is scored. Lower is better."
)
CHOOSE_K_TRADE_OFF = (
    "BIC trades fit against size: it is minus twice the log-likelihood plus log N for every "
    "free parameter, so a component earns its place only if it raises the log-likelihood by "
    "more than its parameters cost. A bigger K always fits the data at least as well, "
    "because a mixture of K components can be any mixture of fewer (two components on "
    "top of each other act as one), so the likelihood alone would always ask for more."
)
"""What BIC trades off, and why the likelihood alone cannot choose K: two sentences."""
CRITERION_HELP = (
    "BIC: minus twice the log-likelihood, plus log N per parameter. AIC: plus 2 per "
    "parameter, a lighter charge, so it picks bigger models. ICL: BIC plus twice the "
    "entropy of the responsibilities, which also charges for components that overlap."
)
CV_HELP = (
    "Held-out (CV): the points are split into folds; each fold is scored under the model "
    "fitted on the others, and minus twice these log-likelihoods are summed. It charges "
    "for overfitting by testing on unseen points, with no formula for the parameters; AIC "
    "estimates the same number without refitting. About five times the work."
)
SWEEP_STARTS_HELP = (
    "Each model is fitted from this many k-means starts (seeds 0, 1, ...), each run to "
    "convergence; the best of them is kept."
)
DEGENERATE_NOTE = (
    "Hollow markers on the plot: their likelihood comes from a collapsed component, not "
    "from a better description of the data, so they are left out of the choice (as mclust "
    "leaves singular fits out)."
)

# The run view's history and buttons ------------------------------------------------------

E_STEP_DONE = (
    "Already done: the responsibilities are those of the parameters shown, so another "
    "E-step would change nothing. Press M-step."
)
"""The tooltip of E-step while it is disabled, right after an E-step."""
HISTORY_HELP = (
    "Scrub back through the run without recomputing it: iterations count as on the curve, "
    "each with its E-step and its M-step. The buttons act from the half-step shown."
)
VIEWING_PAST = (
    "Viewing an earlier half-step: E-step, M-step, Step and Run go on from here and drop "
    "the later half-steps; Back goes one further back."
)
"""Under the history slider while it shows an earlier half-step."""
WIDER_THAN_DATA = (
    "ε = {epsilon:g} is more than the data's own largest variance ({variance:.3g}): every "
    "component is wider than the whole data set, so EM does best with all the means at "
    "the data's centre, where they merge and one X shows. Below ε = {variance:.3g} they "
    "come apart."
)
"""EM with fixed εI when ε exceeds the data's largest variance (a principal axis's)."""
FEATURE_VIEWS = {"pairs": "Pairs", "pca": "Principal components"}
"""The two pictures of data with more than two features, as the view switch names them."""
FEATURE_VIEW_CAPTIONS = {
    "pairs": (
        "Each panel below the diagonal is two of the measurements: the points in their "
        "components' colours and each component's ellipses at one and two standard "
        "deviations, its Gaussian seen on exactly those two. On the diagonal, each "
        "measurement's histogram under the mixture's density (black), made of the "
        "components' weighted curves."
    ),
    "pca": (
        "The points on the two principal components, the directions along which the data "
        "spread most (each measurement scaled to unit variance first), with each "
        "component's Gaussian seen from the same directions. Points that overlap here can "
        "lie apart in the directions left out."
    ),
}
"""Under the picture of data with more than two features: what it shows."""
FEATURES_SHOWN_HELP = (
    "The grid shows at most {most} measurements at once; the model is fitted on all of them."
)
NO_FEATURE_SHOWN = "Choose at least one measurement to show."
GROUP_RUN_HELP = {
    **GROUP_STEP_HELP,
    "Run": f"{STEP_HELP['Run']} All runs move together; a converged run stays put.",
}
"""The compare page's controls, whose Run animates as the explorer's."""

# Incomplete data in the explorer ---------------------------------------------------------

HIDE_LABEL = "Points with a hidden coordinate (%)"
HIDE_HELP = (
    "Hide one coordinate of this share of the points, then let EM fill them in: each "
    "E-step puts a hidden value at its expectation given the coordinate seen."
)
MECHANISM_LABEL = "Which are hidden"
MECHANISM_HELP = (
    "Completely at random: any point, either coordinate. At random: x2 where x1 is large "
    "(what is hidden depends on what is seen: EM corrects for it). Not at random: x2 where "
    "x2 itself is large (what is hidden depends on the hidden values: no method that sees "
    "only the data can correct for it)."
)
HIDE_SEED_LABEL = "Hiding seed"
CONTOURS_LABEL = "Density contours"
CONTOURS_HELP = (
    "Draw the mixture's density p(x) = Σ πₖ N(x | μₖ, Σₖ) as contour lines, one for each "
    "step of 1 in log p(x) below its top: where the ellipses show each component, the "
    "contours show what they add up to."
)
COMPLETE_ROWS_LABEL = "Show the fit on complete rows only (dashed)"
COMPLETE_ROWS_HELP = (
    "The same model fitted, to convergence, on the points with no hidden coordinate alone: "
    "what dropping the incomplete rows gives."
)
NEEDS_COMPLETE_DATA = (
    "{algorithm} needs complete data: only EM (soft) fills in hidden coordinates. Choose "
    "EM (soft) as the algorithm, or set the share of points with a hidden coordinate to 0."
)
MEAN_BIAS = (
    "Mean of {feature}: **{truth:.3f}** before hiding · EM's fit **{fitted:.3f}** "
    "({fitted_error:+.3f}) · complete rows only **{complete:.3f}** ({complete_error:+.3f})"
)
EMPTY_CELLS_LABEL = "Treat empty cells as missing"
MORE_COLUMNS_HELP = (
    "EM fits every chosen column: with more than two, the explorer draws each pair of "
    "columns (or the first two principal components) instead of one scatter plot."
)
EMPTY_CELLS_HELP = (
    "Keep the rows with one empty cell and let EM fill it in, instead of leaving those "
    "rows out. A row empty in both columns is still left out."
)
MISSING_E_STEP = (
    "This point has a hidden coordinate: its responsibilities come from the coordinates "
    "seen (o), by each component's density along them alone; then each component "
    "predicts the hidden one from the one seen (its conditional mean ± sd), and the "
    "explorer draws the point at the mixture of those predictions, weighted by r_ik."
)
MISSING_M_STEP = (
    "With hidden coordinates the sums are expected ones: a hidden coordinate counts at "
    "its component's conditional mean, and its conditional variance is added to the "
    "scatter (without it the covariances would shrink)."
)
BOUND_ALONG_COMPLETE = (
    "The bound along one parameter is drawn for complete data only: set the share of "
    "points with a hidden coordinate to 0 in the explorer to see it."
)
ALL_FEATURES_IMPUTED = (
    "Hidden values are drawn at EM's expectation for the half-step shown (filled in, not "
    "marked: with more than two features, hollow points and their lines are drawn for two "
    "features only)."
)
UPLOAD_NOT_LINKED = (
    "This page's link holds the settings and the step, not your uploaded file: to share "
    "the run itself, use Export → JSON."
)
BOUND_UPLOAD_NOT_LINKED = (
    "This link holds the settings and the step, not your uploaded file: the Explorer's "
    "Export → JSON saves the run."
)
COMPARE_UPLOAD_NOT_LINKED = (
    "This link holds the runs' settings and the step, not your uploaded file: step a run "
    "in the Explorer and save it with Export → JSON."
)
CHOOSE_K_UPLOAD_NOT_LINKED = (
    "This link holds the sweep's settings, not your uploaded file: send the file along."
)
