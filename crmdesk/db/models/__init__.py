"""All tables. Import from here so every mapper is registered before use."""

from crmdesk.db.models.activity import (
    CaseNote,
    CaseStatus,
    CaseType,
    Channel,
    Interaction,
    LostReason,
    Opportunity,
    OpportunityItem,
    OpportunityStage,
    OpportunityStageChange,
    ServiceCase,
    Task,
    TaskStatus,
)
from crmdesk.db.models.branches import Branch
from crmdesk.db.models.attachment_blobs import AttachmentBlob
from crmdesk.db.models.expenses import Allocation, Expense, ExpenseItem
from crmdesk.db.models.catalog import Product, StockSnapshot
from crmdesk.db.models.customers import (
    Contact,
    ContactPoint,
    CustomFieldDef,
    CustomFieldValue,
    Customer,
    CustomerRelation,
    CustomerStatus,
    CustomerType,
    FieldType,
    RelationType,
    Tag,
    customer_tags,
    customer_territories,
)
from crmdesk.db.models.org import CustomerAlert, RuleFiring, Territory, TerritoryRule, WorkflowRule
from crmdesk.db.models.sales import DocType, OrderStatus, Receipt, SalesLine, SalesOrder
from crmdesk.db.models.system import (AuditLog, Attachment, ImportBatch, ImportBatchChange, ImportRejectedRow,
                                      SavedFilter, Setting)
from crmdesk.db.models.users import Role, User, user_territories

__all__ = [
    "Allocation", "Expense", "ExpenseItem", "Branch",
    "Attachment", "AttachmentBlob", "AuditLog", "CaseNote", "CaseStatus", "CaseType", "CustomerAlert", "LostReason",
    "OpportunityItem", "OpportunityStageChange", "RuleFiring", "Channel", "Contact", "ContactPoint", "CustomFieldDef", "CustomFieldValue",
    "Customer", "CustomerRelation", "CustomerStatus", "CustomerType", "DocType", "FieldType", "ImportBatch",
    "ImportBatchChange", "ImportRejectedRow", "Interaction", "Opportunity", "OpportunityStage", "OrderStatus", "Product",
    "Receipt", "RelationType", "Role", "SalesLine", "SalesOrder", "SavedFilter", "ServiceCase", "Setting",
    "StockSnapshot", "Tag", "Task", "TaskStatus", "Territory", "TerritoryRule", "User", "WorkflowRule",
    "customer_tags", "customer_territories", "user_territories",
]
