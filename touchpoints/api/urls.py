from rest_framework.routers import SimpleRouter

from .customers import CustomerViewSet
from .interactions import InteractionViewSet
from .touchpoints import TouchpointViewSet

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("touchpoints", TouchpointViewSet, basename="touchpoint")
router.register("interactions", InteractionViewSet, basename="interaction")

urlpatterns = router.urls
