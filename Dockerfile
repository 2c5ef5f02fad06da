# KernelFarm node image (HTTP gateway + worker). Build: docker build -t kernelfarm .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props KernelFarm.sln ./
COPY hocon/ hocon/
COPY src/ src/
RUN dotnet publish src/Farm.Host/Farm.Host.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
# Defaults match the README; the compose file overrides them per node.
ENV Farm__DataDirectory=/var/lib/kernelfarm \
    Farm__ArtifactStoragePath=/var/lib/artifacts \
    ASPNETCORE_URLS=http://0.0.0.0:8080
# API tokens come from the environment, only as hashes: Farm__Auth__Tokens__0__Name, __Role
# (viewer|submitter|operator) and __Sha256 (README "Auth"). Without one the node refuses to start;
# Farm__Auth__Disabled=true runs it open, for development only.
ENV Farm__Auth__Disabled=false
# Nodes authenticate each other with the cluster certificate (docs/cluster-tls.md): a node with seed
# nodes other than itself needs Farm__ClusterTls__CertificatePath (node.p12 of
# scripts/make-cluster-cert.sh) and Farm__ClusterTls__PasswordFile, or it refuses to start.
VOLUME ["/var/lib/kernelfarm", "/var/lib/artifacts"]
EXPOSE 8080 4053
# SIGTERM runs Akka's coordinated shutdown: stop dispatching, leave, hand over singletons and shards.
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "Farm.Host.dll"]
