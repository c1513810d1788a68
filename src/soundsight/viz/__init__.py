"""soundsight.viz"""
