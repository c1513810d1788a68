"""soundsight: learning sight from sound, regenerated from raw videos."""

__version__ = "0.1.0"
