// Each fixture starts a whole platform (the gateway's, the refresh tests', the shutdown test's own). Two run at once:
// much of a test's time is waiting for tokens to fall due or for a timeout, which another platform can use.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
