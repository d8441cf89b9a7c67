extern alias gateway;
using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Token.Api.Infrastructure;
using Token.Core;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using GatewaySettings = gateway::Token.Gateway.GatewaySettings;

namespace Token.Api.Tests;

/// <summary>
/// deploy/kubernetes as <c>kubectl kustomize</c> renders its example overlay: every service gets what it cannot start
/// without in Production and is probed where it answers, every pod runs restricted, and only the gateway can be
/// reached from outside the cluster or, inside it, reach token-api.
/// </summary>
public sealed class KubernetesManifestTests
{
    private const string Overlay = "deploy/kubernetes/overlays/example";
    private const string Gateway = "token-gateway";

    private static readonly IHostEnvironment Production =
        new HostingEnvironment { EnvironmentName = Environments.Production };

    // Scalars are strings here: replicas is "2", a port "8080".
    private readonly List<JsonObject> _objects = Render(Overlay);

    /// <summary>Each workload and the settings whose rules fail when they are not set in Production.</summary>
    public static TheoryData<string, string> ProductionSettings()
    {
        (string Workload, RequiredSetting[] Settings)[] workloads =
        [
            ("token-api", TokenApiSettings.Required),
            ("token-refresher", CoreSettings.Required),
            (Gateway, GatewaySettings.Required),
            ("token-api-migrate", MigrateCommand.Required)
        ];
        var data = new TheoryData<string, string>();
        foreach (var (workload, settings) in workloads)
        {
            foreach (var setting in settings.Where(setting => setting.Problem(null, Production) is not null))
            {
                data.Add(workload, setting.Name);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ProductionSettings))]
    public void Every_setting_a_service_cannot_start_without_in_production_reaches_its_container(
        string workload, string setting)
    {
        Assert.Contains(setting, SettingsProvided(PodSpec(workload)));
    }

    [Fact]
    public void The_migration_job_runs_the_migrate_command_of_token_apis_image()
    {
        var migrate = Container(PodSpec("token-api-migrate"));

        Assert.Null(migrate["command"]);
        Assert.Equal([MigrateCommand.Name], Items(migrate["args"]).Select(argument => (string)argument!));
        Assert.Equal((string?)Container(PodSpec("token-api"))["image"], (string?)migrate["image"]);
    }

    [Theory]
    [InlineData("token-api", "/health", "/alive")]
    [InlineData("token-refresher", "/health", "/alive")]
    [InlineData(Gateway, "/gateway/health", "/gateway/alive")]
    public void Probes_ask_each_service_on_the_port_it_listens_on_at_the_paths_it_serves(
        string deployment, string readiness, string liveness)
    {
        var container = Container(PodSpec(deployment));
        var urls = EnvironmentValue(container, "ASPNETCORE_URLS");
        var listening = urls[(urls.LastIndexOf(':') + 1)..];

        foreach (var (probe, path) in new[] { ("readinessProbe", readiness), ("livenessProbe", liveness) })
        {
            var httpGet = container[probe]?["httpGet"];
            Assert.Equal(path, (string?)httpGet?["path"]);
            Assert.Equal(listening, PortNumber(container, (string?)httpGet?["port"]));
        }
    }

    [Fact]
    public void Only_the_gateway_can_be_reached_from_outside_the_cluster()
    {
        var gatewayServices = Objects("Service")
            .Where(service => SelectsOnly(Gateway, service["spec"]?["selector"]))
            .Select(Name)
            .ToList();
        var exposed = Objects("Service")
            .Where(service => (string?)service["spec"]?["type"] is "LoadBalancer" or "NodePort")
            .Select(Name);
        var ingressBackends = Objects("Ingress").SelectMany(IngressBackends).ToList();

        Assert.All(exposed, service => Assert.Contains(service, gatewayServices));
        Assert.NotEmpty(ingressBackends);
        Assert.All(ingressBackends, service => Assert.Contains(service, gatewayServices));
    }

    [Fact]
    public void Token_api_admits_connections_from_the_gateways_pods_only()
    {
        var policies = Objects("NetworkPolicy")
            .Where(policy => Matches(policy["spec"]?["podSelector"]?["matchLabels"], PodTemplate("token-api")))
            .ToList();

        Assert.NotEmpty(policies);
        Assert.All(policies, policy =>
        {
            // Without policyTypes a policy restricts ingress; one that names only Egress leaves it open.
            var types = Items(policy["spec"]!["policyTypes"]).Select(type => (string?)type).ToList();
            Assert.True(types.Count == 0 || types.Contains("Ingress"), $"{Name(policy)} does not restrict ingress");
            Assert.All(Items(policy["spec"]!["ingress"]), rule =>
            {
                // A rule without peers admits every peer.
                Assert.NotEmpty(Items(rule["from"]));
                Assert.All(Items(rule["from"]), peer =>
                {
                    Assert.Null(peer["ipBlock"]);
                    Assert.Null(peer["namespaceSelector"]);
                    Assert.True(SelectsOnly(Gateway, peer["podSelector"]?["matchLabels"]),
                        $"{Name(policy)} admits pods other than the gateway's: {peer.ToJsonString()}");
                });
                Assert.Equal([Port(Container(PodSpec("token-api")))],
                    Items(rule["ports"]).Select(port => (string)port["port"]!));
            });
        });
    }

    [Fact]
    public void Every_pod_runs_as_a_non_root_user_on_a_read_only_filesystem_within_set_resources()
    {
        Assert.All(Objects("Deployment").Concat(Objects("Job")).Select(Name), workload =>
        {
            var pod = PodSpec(workload);
            Assert.All(Items(pod["containers"]), container =>
            {
                var security = container["securityContext"];
                Assert.Equal("true",
                    (string?)(security?["runAsNonRoot"] ?? pod["securityContext"]?["runAsNonRoot"]));
                Assert.Equal("true", (string?)security?["readOnlyRootFilesystem"]);
                foreach (var bound in new[] { "requests", "limits" })
                {
                    Assert.NotNull(container["resources"]?[bound]?["cpu"]);
                    Assert.NotNull(container["resources"]?[bound]?["memory"]);
                }
            });
        });
    }

    [Fact]
    public void Every_deployment_runs_two_pods_or_more_under_a_disruption_budget()
    {
        var deployments = Objects("Deployment").Select(Name).ToList();

        Assert.Contains("token-api", deployments);
        Assert.Contains("token-refresher", deployments);
        Assert.All(deployments, deployment =>
        {
            Assert.InRange(int.Parse((string?)Workload(deployment)["spec"]!["replicas"] ?? "1"), 2, int.MaxValue);
            var budgets = Objects("PodDisruptionBudget")
                .Where(budget => SelectsOnly(deployment, budget["spec"]?["selector"]?["matchLabels"]));
            Assert.Contains(budgets, budget =>
                budget["spec"]!["minAvailable"] is not null || budget["spec"]!["maxUnavailable"] is not null);
        });
    }

    /// <summary>
    /// The settings a pod's container gets (with <c>:</c> for <c>__</c>): its environment, from values or from
    /// ConfigMaps and Secrets, and the files of the volume mounted at the settings directory. A Secret that is not
    /// in the manifests (the operator creates it) counts with the keys the volume names only.
    /// </summary>
    private IEnumerable<string> SettingsProvided(JsonNode pod)
    {
        var container = Container(pod);
        var names = Items(container["env"]).Select(variable => (string)variable["name"]!).ToList();
        foreach (var source in Items(container["envFrom"]))
        {
            var (kind, reference) = source["configMapRef"] is { } configMap
                ? ("ConfigMap", configMap)
                : ("Secret", source["secretRef"]!);
            names.AddRange(DataKeys(kind, (string)reference["name"]!).Select(key => (string?)source["prefix"] + key));
        }
        var directory = (string?)Items(container["env"])
            .FirstOrDefault(variable => (string?)variable["name"] == RequiredSettings.DirectoryVariable)?["value"];
        var mount = directory is null
            ? null
            : Items(container["volumeMounts"]).FirstOrDefault(mount => (string?)mount["mountPath"] == directory);
        if (mount is not null)
        {
            var volume = Items(pod["volumes"]).Single(volume => (string?)volume["name"] == (string?)mount["name"]);
            var (kind, source, name) = volume["secret"] is { } secret
                ? ("Secret", secret, (string?)secret["secretName"])
                : ("ConfigMap", volume["configMap"]!, (string?)volume["configMap"]!["name"]);
            names.AddRange(source["items"] is JsonArray items
                ? items.Select(item => (string)item!["path"]!)
                : DataKeys(kind, name!));
        }
        return names.Select(name => name.Replace("__", ":"));
    }

    private IEnumerable<string> DataKeys(string kind, string name) =>
        Objects(kind).Where(data => Name(data) == name)
            .SelectMany(data => new[] { data["data"], data["stringData"] })
            .SelectMany(data => data?.AsObject().Select(entry => entry.Key) ?? []);

    private static IEnumerable<string?> IngressBackends(JsonObject ingress) =>
        Items(ingress["spec"]!["rules"])
            .SelectMany(rule => Items(rule["http"]?["paths"]))
            .Select(path => path["backend"])
            .Append(ingress["spec"]!["defaultBackend"])
            .Where(backend => backend is not null)
            .Select(backend => (string?)backend!["service"]?["name"]);

    /// <summary>True when the labels select the pods of <paramref name="workload"/> and of no other workload.</summary>
    private bool SelectsOnly(string workload, JsonNode? matchLabels) =>
        Objects("Deployment").Concat(Objects("Job"))
            .Where(other => Matches(matchLabels, other["spec"]!["template"]!))
            .Select(Name)
            .SequenceEqual([workload]);

    private static bool Matches(JsonNode? matchLabels, JsonNode podTemplate)
    {
        var labels = podTemplate["metadata"]!["labels"]!;
        return (matchLabels?.AsObject() ?? []).All(label => (string?)labels[label.Key] == (string?)label.Value);
    }

    private JsonObject Workload(string name) =>
        Assert.Single(Objects("Deployment").Concat(Objects("Job")), workload => Name(workload) == name);

    private JsonNode PodTemplate(string workload) => Workload(workload)["spec"]!["template"]!;

    private JsonNode PodSpec(string workload) => PodTemplate(workload)["spec"]!;

    private static JsonNode Container(JsonNode podSpec) => Assert.Single(Items(podSpec["containers"]));

    private static string EnvironmentValue(JsonNode container, string name) =>
        (string)Assert.Single(Items(container["env"]), variable => (string?)variable["name"] == name)["value"]!;

    private static string Port(JsonNode container) =>
        (string)Assert.Single(Items(container["ports"]))["containerPort"]!;

    /// <summary>The number of a port given by number or by the name of one of the container's ports.</summary>
    private static string? PortNumber(JsonNode container, string? port) =>
        (string?)Items(container["ports"]).FirstOrDefault(named => (string?)named["name"] == port)?["containerPort"]
        ?? port;

    private IEnumerable<JsonObject> Objects(string kind) => _objects.Where(item => (string?)item["kind"] == kind);

    private static string Name(JsonNode item) => (string)item["metadata"]!["name"]!;

    private static IEnumerable<JsonNode> Items(JsonNode? list) => list?.AsArray().Select(item => item!) ?? [];

    /// <summary>The overlay's objects, as <c>kubectl kustomize</c> renders them.</summary>
    private static List<JsonObject> Render(string overlay)
    {
        var start = new ProcessStartInfo("kubectl")
        {
            ArgumentList = { "kustomize", Path.Combine(Repository.Root, overlay) },
            RedirectStandardOutput = true,
            RedirectStandardError = true
        };
        using var process = StartKubectl(start);
        var errors = process.StandardError.ReadToEndAsync();
        var yaml = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"kubectl kustomize {overlay} failed: {errors.GetAwaiter().GetResult()}");

        var deserializer = new DeserializerBuilder().Build();
        var json = new SerializerBuilder().JsonCompatible().Build();
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        var objects = new List<JsonObject>();
        while (parser.Accept<DocumentStart>(out _))
        {
            objects.Add(JsonNode.Parse(json.Serialize(deserializer.Deserialize(parser)))!.AsObject());
        }
        return objects;
    }

    private static Process StartKubectl(ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start)!;
        }
        catch (Win32Exception)
        {
            throw new InvalidOperationException(
                "kubectl was not found: install kubectl (its kustomize renders deploy/kubernetes for these tests).");
        }
    }
}
