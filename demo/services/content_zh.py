"""The Simplified Chinese demo's words: a home-appliance retailer, 青禾家电, seen by its CX team.

Data, not catalogue entries: touchpoint, journey map and survey names, interaction categories,
agents' notes and the follow-up team's notes and outcomes, each one to one with the English demo
(the same codes, the same number of choices, in the same order), so both demos tell one story.
"""

from .languages import TouchpointWords

# For ``SURVEY_COMPANY_NAME``: the name survey pages and invitation emails sign with.
COMPANY_NAME = "青禾家电"


# touchpoint code → its Chinese name, description and measure (catalogue.TOUCHPOINTS, in order)
TOUCHPOINTS: dict[str, TouchpointWords] = {
    "web-ad": TouchpointWords("网络广告", "社交媒体上的付费广告。"),
    "website-browse": TouchpointWords("官网浏览", "在官网上浏览商品目录。"),
    "product-comparison": TouchpointWords("产品对比", "在 App 中并排比较不同型号。"),
    "store-visit": TouchpointWords("门店到访", "到门店逛逛，向店员咨询。"),
    "sales-call": TouchpointWords("销售电话", "与销售团队通电话。"),
    "presale-chat": TouchpointWords("在线咨询（售前）", "购买前通过在线客服咨询。"),
    "checkout-online": TouchpointWords("官网下单", "在官网加入购物车并结账。"),
    "instore-purchase": TouchpointWords("门店购买", "在收银台由销售顾问协助购买。"),
    "payment": TouchpointWords("支付", "银行卡、移动支付或分期付款。"),
    "order-confirmation": TouchpointWords("订单确认邮件", "确认订单和送货日期的邮件。"),
    "app-checkout": TouchpointWords("App 下单", "在手机 App 中购买。"),
    "delivery": TouchpointWords("配送", "由物流公司送货上门。", "配送时长", "天"),
    "installation": TouchpointWords("安装服务", "技术人员上门安装。"),
    "support-call": TouchpointWords("客服热线", "致电客服中心。", "等待时长", "分钟"),
    "returns": TouchpointWords("退换货", "退货或换货。"),
    "billing": TouchpointWords("账单与发票", "发票和账单问题。"),
    "repair": TouchpointWords("维修", "保修期内的维修。"),
    "loyalty-programme": TouchpointWords("会员计划", "积分、奖励和会员专属优惠。"),
    "social-care": TouchpointWords("社交媒体客服", "在社交媒体上答复客户的问题。"),
    "sms-notifications": TouchpointWords("短信通知", "通过短信发送发货和送达通知。"),
}

# An interaction's category, English (as drawn from the touchpoint spec) → Chinese
CATEGORIES: dict[str, str] = {
    "General": "一般",
    "Campaign click": "广告点击",
    "Retargeting": "再营销",
    "Catalogue": "商品目录",
    "Search": "搜索",
    "Product page": "商品详情页",
    "Comparison": "型号对比",
    "Advice": "选购建议",
    "Demo": "产品演示",
    "Quote": "报价",
    "Product question": "产品咨询",
    "Availability": "到货查询",
    "Stock": "库存查询",
    "Pricing": "价格咨询",
    "Checkout": "结账",
    "Purchase": "购买",
    "Trade-in": "以旧换新",
    "Card": "银行卡",
    "Wallet": "移动支付",
    "Instalments": "分期付款",
    "Confirmation": "订单确认",
    "Standard delivery": "标准配送",
    "Missed slot": "错过预约时段",
    "Damaged parcel": "包裹破损",
    "Installation": "安装",
    "Set-up": "调试设置",
    "Fault": "故障报修",
    "How-to": "使用咨询",
    "Order status": "订单状态",
    "Complaint": "投诉",
    "Refund": "退款",
    "Exchange": "换货",
    "Invoice": "发票",
    "Refund status": "退款进度",
    "Wrong charge": "扣款有误",
    "Warranty repair": "保修维修",
    "Paid repair": "付费维修",
    "Points": "积分",
    "Rewards": "奖励兑换",
    "Question": "咨询",
    "Dispatch": "发货",
    "Delivery slot": "送货时段",
}

# English journey map name (the simulation's key) → (Chinese name, description)
JOURNEY_MAPS: dict[str, tuple[str, str]] = {
    "Online purchase": ("线上购买", "从广告或搜索开始，到包裹送到家门口；途中的客服来电也算在内。"),
    "In-store purchase": ("门店购买", "致电或到店咨询、在收银台购买，直到上门安装。"),
}

# customer segment (the CRM's free text; the English demo stores the code) → its Chinese name
SEGMENTS = {"consumer": "个人消费者", "small_business": "小微企业", "enterprise": "企业大客户"}

# survey kind → the survey's name in the staff pages
SURVEY_NAMES = {
    "relationship": "客户关系 NPS 调研",
    "transactional": "服务接触回访",
    "csat": "客户满意度回访",
}

# Agents' notes on an interaction they logged: True for a good experience, False for a poor one.
AGENT_NOTES = {
    True: ("客户对处理结果很满意。", "已向客户逐一介绍可选方案。"),
    False: ("客户情绪不满，已承诺回电。", "已升级给组长处理。"),
}
SUPPRESSION_REASON = "客户已退订问卷邮件。"

# The follow-up team's notes and outcomes (follow_ups.START_NOTES, CONTACT_NOTES, OUTCOMES).
START_NOTES = ("致电前先查看客户的答卷。", "先核对该客户的订单记录。")
CONTACT_NOTES = (
    "已致电客户，客户说明了问题经过。",
    "未接通，已留语音留言并发送邮件。",
    "已与客户通话，客户对我们主动回电表示感谢。",
)
OUTCOMES = (
    "已致歉并解释原因",
    "已退款或给予补偿",
    "问题已解决",
    "已寄出替换品",
    "无法联系到客户",
)

# The demo staff: (first_name, last_name). A Chinese name is written surname first with no space,
# and Django joins first and last name with one, so the whole name is kept in first_name.
STAFF = {"manager": ("林美雅", ""), "agent": ("陈晓东", "")}
