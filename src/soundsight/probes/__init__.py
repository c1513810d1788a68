"""soundsight.probes"""
