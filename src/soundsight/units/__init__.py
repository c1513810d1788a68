"""soundsight.units"""
