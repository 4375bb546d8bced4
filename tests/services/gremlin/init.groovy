// Binds the traversal source `g` that gremlinpython's DriverRemoteConnection(url, "g") asks for.
def globals = [:]
globals << [g : traversal().withEmbedded(graph)]
