"""Paper text -> tokens -> bins: tokenizer, prompt template, budgeted encoding, packing, the
training dataset, and the test rows (papers to review) that inference and the training chat hook
read."""
