using Microsoft.Extensions.FileProviders;

namespace KernelFarm.Host.Dashboard;

/// <summary>
/// Serves the web dashboard: plain HTML, CSS and JavaScript modules shipped with the host
/// (nothing to build or install), at <c>/dashboard/</c>; <c>/</c> leads there. The files are
/// public (they hold no data); every datum comes from the API with the user's token.
/// </summary>
public static class DashboardSetup
{
    public const string Path = "/dashboard";

    /// <summary>No inline script or style, nothing from elsewhere, not framable.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static WebApplication UseDashboard(this WebApplication app)
    {
        var root = System.IO.Path.Combine(AppContext.BaseDirectory, "dashboard");
        if (!Directory.Exists(root))
        {
            app.Logger.LogWarning("dashboard: {Root} is missing; /dashboard/ is not served", root);
            return app;
        }
        var files = new PhysicalFileProvider(root);
        app.MapGet("/", () => Results.Redirect(Path + "/")).AllowAnonymous().ExcludeFromDescription();
        app.UseWhen(http => http.Request.Path.StartsWithSegments(Path), branch =>
        {
            branch.Use((http, next) =>
            {
                var h = http.Response.Headers;
                h.ContentSecurityPolicy = ContentSecurityPolicy;
                h.XContentTypeOptions = "nosniff";
                h["Referrer-Policy"] = "no-referrer";
                // The files change with the host's version: revalidate (ETag) rather than run stale code.
                h.CacheControl = "no-cache";
                return next(http);
            });
            branch.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = Path });
            branch.UseStaticFiles(new StaticFileOptions { FileProvider = files, RequestPath = Path });
        });
        return app;
    }
}
