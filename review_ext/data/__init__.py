"""Paper text -> tokens -> bins: tokenizer, prompt template, budgeted encoding, packing, the training dataset."""
