"""Everything about languages: which ones, detection, replies, translation.

Used inside the Rasa server (the NLU component and the localising NLG), by the
action server and by the gateway's counsellor console.
"""
