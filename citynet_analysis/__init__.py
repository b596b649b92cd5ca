"""citynet_analysis: Seoul's budget documents for the CityNet secretariat as validated, source-traced tables."""

from .dataset.load import Dataset, load

__all__ = ["Dataset", "load"]
__version__ = "0.1.0"
