"""Display names and help texts: the one place where the app words its settings."""

from em_viz.engine.gaussian_em import GaussianSettings

INIT_NAMES = {
    "random-points": "random points",
    "k-means++": "k-means++",
    "kmeans": "k-means init",
    "random-responsibilities": "random resp.",
}
ALGORITHM_SHORT = {"soft": "EM", "hard": "hard EM", "kmeans": "k-means", "fixed-eps": "EM εI"}


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
