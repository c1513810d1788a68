"""soundsight.paper"""
