"""What the tests, scaleout/ and bench/ share: pages spoken to as a browser
does, callers made through the actions, a listener on the channel layer. Not
part of the product (nothing in the apps imports it)."""
