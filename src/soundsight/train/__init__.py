"""soundsight.train"""
