"""citynet_analysis: Seoul's budget documents for the CityNet secretariat as validated, source-traced tables."""

from .config import VERSION as __version__
from .dataset.load import Dataset, load

__all__ = ["Dataset", "__version__", "load"]
