"""soundsight.labels"""
