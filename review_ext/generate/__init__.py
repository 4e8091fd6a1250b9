"""Merged model -> reviews: engines, inference prompts, test rows in and review records out, remote servers."""
