def seed_demo(*, session, count):
    raise NotImplementedError
