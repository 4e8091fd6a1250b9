"""Reviews: free review text -> the four review parts, as points.

``review_parts`` maps a review's text to the parts, reading the reviewer's own labels with
``review_labels`` and dropping what is no review point with ``point_filters``;
``llm_labels`` (a command) moves a converted review's points to the parts a language model
names.
"""
