"""Operations behind `python -m bot`: set-up, training with a cache, running the servers."""
