"""soundsight.models"""
