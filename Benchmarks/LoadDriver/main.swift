print("load driver: not yet")
