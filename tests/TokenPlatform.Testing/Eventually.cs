namespace TokenPlatform.Testing;

/// <summary>A bounded wait on a condition, for what the platform does in the background.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{failure} (waited {timeout.TotalSeconds} s)");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }
}
