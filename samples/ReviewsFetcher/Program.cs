using OpenTelemetry.Trace;
using ReviewsFetcher;

var builder = Host.CreateApplicationBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddReviewsFetcher(builder.Configuration);
builder.Services.AddHostedService<ReviewsWorker>();
// The fetcher's spans (one per branch) in the traces ServiceDefaults exports to the dashboard.
builder.Services.AddOpenTelemetry()
    .WithTracing(tracing => tracing.AddSource(BranchReviewsFetcher.ActivitySourceName));

builder.Build().Run();
