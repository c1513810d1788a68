"""soundsight.audio"""
