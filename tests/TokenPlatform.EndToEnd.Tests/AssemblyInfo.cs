// Each fixture starts a whole platform (the gateway's and the replicated one). Both run at once: much of a test's time
// is waiting for tokens to fall due or for a timeout, which the other platform can use.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
