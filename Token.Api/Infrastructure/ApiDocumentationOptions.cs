using Microsoft.Extensions.Hosting;

namespace Token.Api.Infrastructure;

/// <summary>
/// <c>/docs</c>, <c>/redoc</c> and <c>/openapi/v1.json</c> describe every admin endpoint to whoever asks: on in
/// Development, off elsewhere unless <c>ApiDocs:Enabled</c> says otherwise.
/// </summary>
public sealed class ApiDocumentationOptions
{
    public const string Section = "ApiDocs";

    public bool? Enabled { get; set; }

    public bool IsOn(IHostEnvironment environment) => Enabled ?? environment.IsDevelopment();
}
