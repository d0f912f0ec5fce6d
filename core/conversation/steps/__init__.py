"""The dialogue's steps, each a function over a TurnContext; engine.py says which runs when.

kitchen.py: which kitchen (tapped, typed, or the one kitchen that sells what was ordered).
ordering.py: typed or spoken orders, replies to posts, catalogue carts.
cart.py: the cart and the pending question shown to the customer; the menu; the greeting.
checkout.py: delivery or pickup, where, when, the summary and placing.
commands.py: status, cancel, repeat, a person, questions about the kitchen.
taps.py: what each tapped (or typed) choice id does.
"""
