using Microsoft.Extensions.Options;

namespace ReviewsFetcher;

/// <summary>Every <see cref="ReviewsOptions.Interval"/>, the reviews of every branch.</summary>
public sealed class ReviewsWorker(
    BranchReviewsFetcher fetcher, IOptions<ReviewsOptions> options, ILogger<ReviewsWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval);
        do
        {
            try
            {
                var fetched = await fetcher.FetchAllAsync(stoppingToken);
                logger.LogInformation("Fetched the reviews of {BranchCount} branches", fetched.Count);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The platform did not answer the list (yet): the next round tries again, the worker goes on.
                logger.LogWarning("Could not list the branches: {Reason}", exception.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
