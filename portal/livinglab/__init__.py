"""The pages that gather every app: the home page, My living lab, a person's data, the demo."""
