"""Each model family's two half-steps in prose and symbols: the "How EM works here" texts."""

HOW_GAUSSIAN_EM_WORKS = (
    (
        r"Each component $k$ has a weight $\pi_k$, a mean $\mu_k$ and a covariance "
        r"$\Sigma_k$. **E-step**: every point $x_i$ gets a responsibility $r_{ik}$ for every "
        "component, how likely that component is to have produced it:"
    ),
    (
        r"r_{ik} = \frac{\pi_k\,\mathcal{N}(x_i \mid \mu_k, \Sigma_k)}"
        r"{\sum_j \pi_j\,\mathcal{N}(x_i \mid \mu_j, \Sigma_j)}"
    ),
    (
        "**M-step**: each component is re-fitted to all points, weighted by those "
        r"responsibilities (a small $\lambda$, the setting reg_covar, keeps every "
        "covariance invertible):"
    ),
    (
        r"\begin{gathered}"
        r"N_k = \sum_i r_{ik},\qquad \pi_k = \frac{N_k}{N},\qquad "
        r"\mu_k = \frac{1}{N_k}\sum_i r_{ik}\, x_i, \\ "
        r"\Sigma_k = \frac{1}{N_k}\sum_i r_{ik}\,(x_i-\mu_k)(x_i-\mu_k)^\top + \lambda I"
        r"\end{gathered}"
    ),
    (
        "Neither half-step can lower the log-likelihood "
        r"$\sum_i \log \sum_k \pi_k\,\mathcal{N}(x_i \mid \mu_k, \Sigma_k)$, so the curve "
        "only climbs; it stops at a *local* optimum that depends on the start. Try another "
        "seed or initialisation."
    ),
)
"""The two half-steps of a Gaussian mixture in symbols: prose (Markdown, with inline
maths between dollars) and formulas (LaTeX) in turn."""
HOW_BERNOULLI_EM_WORKS = (
    (
        r"Component $k$ (a coin, or a prototype image) has a weight $\pi_k$ and a "
        r"probability $p_{kd}$ of heads (of a black pixel) in feature $d$. Observation $i$ "
        r"has $h_{id}$ heads and $t_{id}$ tails (one toss per pixel for an image). "
        "**E-step**: how likely each component is to have produced each observation:"
    ),
    (
        r"r_{ik} = \frac{\pi_k \prod_d p_{kd}^{h_{id}} (1 - p_{kd})^{t_{id}}}"
        r"{\sum_j \pi_j \prod_d p_{jd}^{h_{id}} (1 - p_{jd})^{t_{id}}}"
    ),
    (
        "**M-step**: every observation's heads and tails are credited to the "
        r"components in proportion to $r_{ik}$; each component's new probability is the "
        "heads credited to it over all tosses credited to it, with a pseudo-count $a$ of "
        "extra heads and tails (digits only; $a = 0$ is plain maximum likelihood):"
    ),
    (
        r"N_k = \sum_i r_{ik},\quad \pi_k = \frac{N_k}{N},\quad "
        r"p_{kd} = \frac{\sum_i r_{ik} h_{id} + a}{\sum_i r_{ik} (h_{id} + t_{id}) + 2a}"
    ),
    (
        "Neither half-step can lower the log-likelihood (with $a > 0$: the "
        r"log-likelihood plus the log of the $\mathrm{Beta}(1 + a, 1 + a)$ prior on every "
        r"$p_{kd}$), so the curve only climbs, to a *local* optimum that depends on the start."
    ),
)
"""The two half-steps of a mixture of coins (or of images) in symbols, in turn."""
HOW_LINKAGE_EM_WORKS = (
    (
        "The counts x1, x2, x3, x4 have probabilities 1/2 + θ/4, (1 - θ)/4, (1 - θ)/4 "
        "and θ/4. Had we seen how the first cell splits into y1 animals of probability "
        "1/2 and y2 of probability θ/4, the estimate would be a simple share. **E-step**: "
        "the expected split under the current θ_t:"
    ),
    r"y_2 = x_1 \, \frac{\theta_t / 4}{1/2 + \theta_t / 4}",
    "**M-step**: the share of θ-animals among the animals whose probability depends on θ:",
    r"\theta_{t+1} = \frac{y_2 + x_4}{y_2 + x_2 + x_3 + x_4}",
    (
        "The log-likelihood log L(θ) = x1 log(1/2 + θ/4) + (x2 + x3) log((1 - θ)/4) + "
        "x4 log(θ/4) never falls: each E-step builds a lower bound that touches it at θ_t, "
        "and the M-step climbs to that bound's top (minorise, then maximise). Near the "
        "maximum each error shrinks by the same factor, the fraction of missing "
        "information (0.1328 for Dempster, Laird and Rubin's counts)."
    ),
)
"""The two half-steps of the linkage example in symbols, in turn."""
HOW_HMM_EM_WORKS = (
    (
        "A hidden Markov model has K hidden states (the dice). It starts in state i with "
        "probability π_i, moves from state i to state j with probability A_ij after each "
        "step, and in state j emits an observation with probability B_j(x) (a die's "
        "faces, or a Gaussian). The states are never seen. **E-step** (forward-backward): "
        "$\\alpha$ runs forward and $\\beta$ backward through the sequence, and together they give"
    ),
    (
        r"\gamma_t(i) = P(z_t = i \mid x_{1:T}) = \frac{\alpha_t(i)\,\beta_t(i)}"
        r"{\sum_j \alpha_t(j)\,\beta_t(j)},\qquad "
        r"\xi_t(i, j) = P(z_t = i, z_{t+1} = j \mid x_{1:T}) \propto "
        r"\alpha_t(i)\,A_{ij}\,B_j(x_{t+1})\,\beta_{t+1}(j)"
    ),
    (
        "**M-step**: the expected counts, divided out, are the new parameters (for "
        "Gaussian states, $\\gamma$ weighs each point as a responsibility does in a mixture):"
    ),
    (
        r"\pi_i = \gamma_1(i),\qquad A_{ij} = \frac{\sum_t \xi_t(i, j)}{\sum_t \sum_k "
        r"\xi_t(i, k)},\qquad B_i(v) = \frac{\sum_{t:\,x_t = v} \gamma_t(i)}"
        r"{\sum_t \gamma_t(i)}"
    ),
    (
        "This is Baum-Welch, EM for sequences: neither half-step can lower the "
        "log-likelihood log p(x_1, ..., x_T), so the curve only climbs, to a *local* "
        "optimum that depends on the start. The numbering of the states is arbitrary: "
        "another start may find the same dice with their numbers swapped (label "
        "switching), with exactly the same likelihood."
    ),
)
"""Baum-Welch's two half-steps in symbols: prose and formulas in turn."""
HOW_MURRAY_EM_WORKS = (
    (
        "One Gaussian with means, variances and a correlation. For a point with x1 seen "
        "and x2 missing, the **E-step** expects x2 and its square given x1:"
    ),
    (
        r"E[x_2 \mid x_1] = \mu_2 + \rho \frac{\sigma_2}{\sigma_1}(x_1 - \mu_1),\qquad "
        r"\operatorname{Var}[x_2 \mid x_1] = \sigma_2^2 (1 - \rho^2)"
    ),
    (
        "**M-step**: the mean and covariance of the completed points, with each "
        "conditional variance added to the scatter (leaving it out shrinks the variances). "
        "At correlation 0 every expectation is the mean, the completed points carry no "
        "correlation, and it stays 0: EM converges to the saddle point, not a maximum."
    ),
)
"""Murray's example in symbols, in turn."""
