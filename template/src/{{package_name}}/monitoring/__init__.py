"""Production monitoring: the inference log, data drift against the training reference, A/B
reports. The service only writes the log (cheap, stdlib only); the batch commands that read it
(`drift`, `ab-report`) import Evidently, pandas and SciPy when they run."""
