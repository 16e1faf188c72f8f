"""The textbook demos' words: their step buttons' help, their starts and what each
half-step changed.

The Bernoulli mixtures (coins, flips, digits), the genetic-linkage example, the hidden
Markov models (casino, trellis, regimes) and Murray's saddle point; the explorer's and
the shared words are in :mod:`em_viz.ui.labels`, the lessons in :mod:`em_viz.ui.lessons`.
"""

from em_viz.ui.labels import STEP_HELP

# Bernoulli mixtures ----------------------------------------------------------------------

MIXTURE_STEP_HELP = {
    **STEP_HELP,
    "E-step": "Expectation: for every observation, how likely each component (coin) is to "
    "have produced it.",
    "M-step": "Maximisation: each component's probability of heads becomes the heads "
    "credited to it over all tosses credited to it; its weight, its share.",
}
"""The Bernoulli page's coin demos' controls: components are coins."""
DIGITS_STEP_HELP = {
    **STEP_HELP,
    "E-step": "Expectation: for every image, how likely each prototype is to have produced it.",
    "M-step": "Maximisation: each prototype's pixel becomes the share of images with that "
    "pixel black, each image counted by its responsibility (plus the pseudo-count); its "
    "weight, its share of the images.",
}
"""The digits demo's controls: components are prototype images."""
DIGITS_INIT_NAMES = {
    "random": "random pixel probabilities",
    "random-responsibilities": "random responsibilities",
    "kmeans": "k-means fit",
}
DIGITS_INIT_HELP = (
    "Random pixel probabilities: every pixel's probability uniform in 0.25-0.75; random "
    "responsibilities: one M-step from random soft assignments; k-means fit: one M-step "
    "from the clusters of a k-means fit."
)
FLIPS_CHANGED = {
    "init": "The starting coins: their biases and weights, and the overall rate of heads "
    "they predict. Press Step.",
    "E": "E-step: each flip is shared between the coins by how likely each is to have made "
    "it; the coins did not move.",
    "M": "M-step: each coin's bias and weight moved, and the overall rate they predict is "
    "now the observed one.",
}
DIGITS_CHANGED = {
    "init": "The starting prototypes. Press E-step to see which prototype each image resembles.",
    "E": "E-step: every image's responsibilities changed (the bars below); the prototypes "
    "did not move.",
    "M": "M-step: each prototype is now the responsibility-weighted average of all the "
    "images (with the pseudo-count), its weight its share of them; the responsibilities "
    "did not change.",
}
PSEUDO_COUNT_HELP = (
    "Each M-step counts this many extra 1s and extra 0s per component and pixel (a "
    "Beta prior), so no probability reaches 0 or 1 and no image is ever impossible for a "
    "component. 0 is plain maximum likelihood; the curve then shows the log-likelihood, "
    "otherwise the log-likelihood plus the log prior, which EM never lowers."
)

# Incomplete data: the genetic-linkage example ---------------------------------------------

LINKAGE_CELLS = (
    ("Cell 1 (1/2 + θ/4)", "A mix of two kinds of animal, with probabilities 1/2 and θ/4."),
    ("Cell 2 ((1 - θ)/4)", "Animals of the second kind."),
    ("Cell 3 ((1 - θ)/4)", "Animals of the third kind."),
    ("Cell 4 (θ/4)", "Animals of the fourth kind."),
)
"""Each count's label and help: the cell and its probability."""
LINKAGE_STEP_HELP = {
    **STEP_HELP,
    "E-step": "Expectation: split the first cell's count into its 1/2 and θ/4 parts, in "
    "proportion to their probabilities under the current θ.",
    "M-step": "Maximisation: θ becomes the share of the θ-animals among all animals that "
    "depend on θ, as if the split were seen.",
}
"""The linkage demo's controls."""
LINKAGE_CHANGED = {
    "init": "**The start**: θ = {theta:.7f}, ringed on log L. Press **E-step** to build EM's "
    "lower bound there.",
    "E": "**E-step**: at θ_t = {theta_t:.7f} the first cell's {x1} animals are expected to "
    "be **{credited:.4f}** in its θ/4 part and **{rest:.4f}** in its 1/2 part. That split "
    "gives the orange bound, touching log L at θ_t; its top (the star) is where the M-step "
    "goes.",
    "M": "**M-step**: θ = ({credited:.4f} + {x4}) / ({credited:.4f} + {x2} + {x3} + {x4}) "
    "= **{theta:.7f}**, the top of the bound; log L rose at least as much as the bound "
    "(the dotted gap).",
}
"""What each half-step of the linkage demo did, with its numbers."""
LINKAGE_RATE = (
    "The maximum is θ* = {best:.7f}. Near it each error is about {rate:.4f} times the one "
    "before: the fraction of the information about θ that the hidden split takes away."
)
"""Under the linkage table: where EM goes and how fast."""

# Hidden Markov models ----------------------------------------------------------------------

HMM_STEP_HELP = {
    **STEP_HELP,
    "E-step": "Expectation (forward-backward): for every observation, how likely each hidden "
    "state is, and for every pair of neighbours, each transition.",
    "M-step": "Maximisation: the expected counts become the new start, transition and "
    "emission probabilities.",
}
"""The hidden Markov models page's controls."""
CASINO_CHANGED = {
    "init": "The starting guess: two dice and how often the casino switches. The band is "
    "empty until an E-step: press **E-step**.",
    "E": "**E-step**: forward-backward gave every roll its P(loaded | all rolls), the band. "
    "The dice and the switching did not move.",
    "M": "**M-step**: each die's faces and the switching probabilities are now the expected "
    "counts of the last E-step, divided out. The band did not change.",
}
"""What each half-step of the casino demo changed."""
TRELLIS_CHANGED = {
    "init": "What the first E-step will compute under the starting guess: $\\alpha$ "
    "forward from the first roll, $\\beta$ backward from the last, $\\gamma = \\alpha\\beta$ "
    "in each cell and $\\xi$ on each edge.",
    "E": "**E-step**: $\\alpha$, $\\beta$, $\\gamma$ and $\\xi$ under the parameters shown. "
    "The tables add up $\\xi$ and $\\gamma$ over all the rolls; the next M-step divides "
    "them out.",
    "M": "**M-step**: the new A and B are the fractions in the tables, the counts of the "
    "E-step before it (the trellis shows that E-step).",
}
"""What each half-step of the trellis demo shows."""
TRELLIS_NUMBERS = (
    "$\\alpha$: P(state | the rolls up to here), the forward pass, scaled to sum to 1 at "
    "each roll. $\\beta$: how much better the rolls after here are explained from this "
    "state than on average, so that $\\gamma = \\alpha\\beta$. $\\gamma$: P(state | all "
    "rolls), the cell's shade. $\\xi$ on an edge: P(this state here and that state at the "
    "next roll | all rolls), its width (not written below 0.005)."
)
"""Under the trellis: what its numbers are."""
REGIMES_MIXTURE_HELP = (
    "Replace every row of the transition matrix A by the weights π: the state at the next "
    "step then no longer depends on the state now, and the hidden Markov model is the "
    "Gaussian mixture with weights π, run here from the same start."
)
CASINO_TEXT_HELP = "Digits 1 to 6; spaces, commas and line breaks between them are ignored."

# Incomplete data: Murray's saddle point ---------------------------------------------------

MURRAY_STEP_HELP = {
    **STEP_HELP,
    "E-step": "Expectation: fill in each missing coordinate by its expected value given the "
    "point's observed one, under the current Gaussian.",
    "M-step": "Maximisation: the Gaussian becomes the mean and covariance of the filled-in "
    "points, plus the uncertainty of each filled-in value.",
}
"""Murray's demo's controls."""
MURRAY_CHANGED = {
    "init": "**The start**: correlation {rho:.4f}, variances {v1:.4f} and {v2:.4f}. The "
    "hollow points sit where this Gaussian expects them. Press **E-step**.",
    "E": "**E-step**: each hollow point moved to its expected position given its observed "
    "coordinate, on the Gaussian's line of regression; the Gaussian did not move.",
    "M": "**M-step**: the Gaussian is now the mean and covariance of the filled-in points, "
    "each missing value's own conditional variance added: correlation **{rho:.4f}**, "
    "variances **{v1:.4f}** and **{v2:.4f}**.",
}
"""What each half-step of Murray's demo did, with its numbers."""
MURRAY_SADDLE = (
    "EM has stopped on a **saddle point**, not a maximum: correlation {rho:.4f}, variances "
    "{v1:.4f} and {v2:.4f} (exactly 0 and 5/2). From correlation 0 every missing value is "
    "filled in at 0, so the correlation stays 0; any other start climbs to +1/2 or -1/2."
)
MURRAY_MAXIMUM = (
    "EM reached a **maximum**: correlation {rho:.4f}, variances {v1:.4f} and {v2:.4f} "
    "(exactly ±1/2 and 8/3). The start's sign chose which of the two."
)
