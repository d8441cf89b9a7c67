using Microsoft.Extensions.Options;
using Token.Client;

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
            catch (Exception exception) when (exception is HttpRequestException or TokenPlatformException)
            {
                // The platform is not there (yet): the next round tries again.
                logger.LogWarning("Could not list the branches: {Reason}", exception.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
