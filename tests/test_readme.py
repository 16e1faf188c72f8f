"""The README's notebook examples run as written and say what they claim."""

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_examples_run_and_match_their_comments():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert len(blocks) == 4
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    em, settings, coins = namespace["em"], namespace["settings"], namespace["coins"]
    assert (settings.n_components, settings.init, settings.covariance_type) == (
        2,
        "kmeans",
        "full",
    )
    assert len(em.history) == 1 and em.n_components == 2
    np.testing.assert_allclose(coins.probabilities[:, 0], [0.80, 0.52], atol=0.005)
    assert namespace["digits"].n_iter == 1
    assert namespace["vb"].active.sum() == 2
