// The one fixture starts a whole platform; its tests share it and run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
