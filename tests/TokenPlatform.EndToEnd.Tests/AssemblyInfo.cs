// Each fixture starts a whole platform; on a two-core machine they run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
